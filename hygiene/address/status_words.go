package address

// StatusLabel is a status in a mailer's words, for pages: "valid" only
// means the address agrees with the ZIP data, so it reads "Standardized",
// and CheckedFor says what was verified.
func StatusLabel(s Status) string {
	switch s {
	case StatusValid:
		return "Standardized"
	case StatusCorrected:
		return "Corrected"
	case StatusAmbiguous:
		return "Needs a choice"
	case StatusInvalid:
		return "Not deliverable as written"
	}
	return string(s)
}

// CheckedFor is the Checked sentence of a stored verdict (a status and its
// DPV code), as Cleanse gave it: an address book entry or a cleansed row
// keeps only those. A valid or corrected address had its ZIP and city
// verified; for the others the reasons say what failed.
func CheckedFor(s Status, dpv string) string {
	point := checkedNoPoint
	switch dpv {
	case DPVConfirmed:
		point = checkedConfirmed
	case DPVSecondaryMissing:
		point = checkedNoUnit
	case DPVSecondaryWrong:
		point = checkedBadUnit
	case DPVNotConfirmed:
		point = checkedNotFound
	}
	switch s {
	case StatusValid, StatusCorrected:
		return checkedText(true, point)
	case StatusAmbiguous, StatusInvalid:
		return "see the reasons; " + point
	}
	return ""
}
