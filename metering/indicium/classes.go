package indicium

// classCodes are the one-byte mail class codes of layout version 2, in the
// order docs/INDICIUM.md lists them. Codes are never reused: a new class
// gets the next number, so a printed indicium keeps its meaning.
var classCodes = []string{
	1: "FCM_LETTER",       // First-Class Mail letter, metered price
	2: "FCM_FLAT",         // First-Class Mail large envelope (flat)
	3: "GROUND_ADVANTAGE", // USPS Ground Advantage
	4: "PRIORITY",         // Priority Mail
	5: "PRIORITY_EXPRESS", // Priority Mail Express
	6: "FCMI_LETTER",      // First-Class Mail International letter
	7: "FCMI_FLAT",        // First-Class Mail International large envelope
}

// ClassCode returns the version 2 code of a mail class, 0 if it has none.
func ClassCode(class string) byte {
	for i, c := range classCodes {
		if c != "" && c == class {
			return byte(i)
		}
	}
	return 0
}

// ClassName returns the mail class of a version 2 code, "" if unknown.
func ClassName(code byte) string {
	if int(code) < len(classCodes) {
		return classCodes[code]
	}
	return ""
}

// ClassCodes lists the mail classes that have a code, by code.
func ClassCodes() map[byte]string {
	m := make(map[byte]string, len(classCodes))
	for i, c := range classCodes {
		if c != "" {
			m[byte(i)] = c
		}
	}
	return m
}
