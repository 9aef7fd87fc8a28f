package metering

import (
	"fmt"
	"strings"
	"time"
)

// SamePieceWindow is how long after a scan without a piece reference a scan
// at the same place, again without a reference, still counts as the same
// piece. It covers a clerk scanning a piece twice at the counter, or a
// piece re-scanned on the same sorting run; it is short because nothing else
// ties two such scans to one piece, and each copy of a label mailed at the
// same counter later must count as a duplicate. The window runs from the
// first such scan at that place, so re-scans cannot stretch it.
const SamePieceWindow = 30 * time.Minute

// Scan is one scan of an indicium as the duplicate rule reads it.
type Scan struct {
	VerificationID int64
	PieceRef       string
	Location       string
	At             time.Time
	VerifierID     int64  // 0 when unknown (the system, or a user deleted since)
	Verifier       string // the verifier's email, for the evidence
}

// UseRule names why a scan of a used indicium was judged as it was.
type UseRule string

// The outcomes of the duplicate rule.
const (
	RuleFirstUse      UseRule = "first_use"      // no earlier accepted scan: this one uses the label
	RuleSameRef       UseRule = "same_piece_ref" // an accepted scan carried this piece reference
	RuleSamePlace     UseRule = "same_place"     // no references, same place, within SamePieceWindow
	RuleOtherRef      UseRule = "other_piece_ref"
	RuleLateRescan    UseRule = "same_place_too_late"
	RuleNoSamePlace   UseRule = "no_reference_other_place"
	RuleNoInformation UseRule = "no_reference_no_location"
)

// UseDecision is the duplicate rule's answer for one scan.
type UseDecision struct {
	Duplicate bool
	Rule      UseRule
	// First is the first accepted scan (the label's first use); zero for a
	// first use.
	First Scan
}

// judgeUse decides whether a scan of an indicium is its first use, a scan of
// the same piece, or a duplicate. accepted are the earlier scans accepted as
// the stamped piece — its first use and the re-scans proven to be the same
// piece — oldest first; duplicates are not in it, so a copy scanned twice
// stays a copy. A later scan is the same piece only when it can be shown:
// it carries the piece reference of an accepted scan, or neither it nor an
// accepted scan carries a reference and it was made at that scan's place
// within SamePieceWindow of the first such scan there. Anything else —
// another reference, a reference where the first use had none, no reference
// and no location — is a duplicate.
func judgeUse(accepted []Scan, now Scan) UseDecision {
	if len(accepted) == 0 {
		return UseDecision{Rule: RuleFirstUse}
	}
	first := accepted[0]
	same := func(r UseRule) UseDecision { return UseDecision{Rule: r, First: first} }
	dup := func(r UseRule) UseDecision { return UseDecision{Duplicate: true, Rule: r, First: first} }
	ref, loc := strings.TrimSpace(now.PieceRef), strings.TrimSpace(now.Location)
	if ref != "" {
		for _, a := range accepted {
			if strings.TrimSpace(a.PieceRef) == ref {
				return same(RuleSameRef)
			}
		}
		return dup(RuleOtherRef)
	}
	if loc == "" {
		return dup(RuleNoInformation)
	}
	for _, a := range accepted {
		if strings.TrimSpace(a.PieceRef) != "" || !strings.EqualFold(strings.TrimSpace(a.Location), loc) {
			continue
		}
		// a is the first accepted scan without a reference at this place:
		// the window runs from it. A clock stepping back between two scans
		// (they are serialized by the label's row lock) is not a new piece.
		if now.At.Sub(a.At) <= SamePieceWindow {
			return same(RuleSamePlace)
		}
		return dup(RuleLateRescan)
	}
	return dup(RuleNoSamePlace)
}

// duplicateReason is the verifier's explanation of a duplicate.
func duplicateReason(d UseDecision, now Scan) string {
	first := "first scanned " + d.First.At.UTC().Format("2006-01-02 15:04 MST")
	if d.First.Location != "" {
		first += " at " + d.First.Location
	}
	if d.First.PieceRef != "" {
		first += fmt.Sprintf(" on piece %q", d.First.PieceRef)
	}
	msg := "This indicium was already used, " + first + "; "
	switch d.Rule {
	case RuleOtherRef:
		return msg + fmt.Sprintf("no scan of that piece carried piece reference %q, so this is another piece.", strings.TrimSpace(now.PieceRef))
	case RuleLateRescan:
		return msg + fmt.Sprintf("a scan without a piece reference at the same place counts as the same piece only within %d minutes.", int(SamePieceWindow/time.Minute))
	case RuleNoSamePlace:
		return msg + "this scan has no piece reference and no earlier scan without one was made at this place, so it cannot be shown to be the same piece."
	default:
		return msg + "this scan has neither a piece reference nor a location, so it cannot be shown to be the same piece."
	}
}
