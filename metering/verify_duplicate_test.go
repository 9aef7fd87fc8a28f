package metering

import (
	"strings"
	"testing"
	"time"
)

// scanAt is a scan min minutes after the first one.
func scanAt(ref, loc string, min float64) Scan {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	return Scan{PieceRef: ref, Location: loc, At: t0.Add(time.Duration(min * float64(time.Minute)))}
}

// TestJudgeUseSequences runs scans of one indicium in order, as Verify does:
// each scan not judged a duplicate joins the accepted scans.
func TestJudgeUseSequences(t *testing.T) {
	const (
		first = "first"
		valid = "valid"
		dup   = "duplicate"
	)
	type step struct {
		scan Scan
		want string
		rule UseRule
	}
	for _, c := range []struct {
		name  string
		steps []step
	}{
		// The orderings seen bypassing the old rule.
		{"no references first, then two piece references", []step{
			{scanAt("", "", 0), first, RuleFirstUse},
			{scanAt("X1", "", 5), dup, RuleOtherRef},
			{scanAt("X2", "", 6), dup, RuleOtherRef},
		}},
		{"location only first, then references at the same place", []step{
			{scanAt("", "06901", 0), first, RuleFirstUse},
			{scanAt("Y1", "06901", 1), dup, RuleOtherRef},
			{scanAt("Y2", "06901", 2), dup, RuleOtherRef},
		}},
		{"a scan with nothing after a use elsewhere", []step{
			{scanAt("P1", "06901", 0), first, RuleFirstUse},
			{scanAt("", "", 1), dup, RuleNoInformation},
		}},
		{"two scans with nothing", []step{
			{scanAt("", "", 0), first, RuleFirstUse},
			{scanAt("", "", 1), dup, RuleNoInformation},
		}},
		// Piece references.
		{"same reference, anywhere and any time later", []step{
			{scanAt("P1", "06901", 0), first, RuleFirstUse},
			{scanAt("P1", "94107", 60*24), valid, RuleSameRef},
			{scanAt("P1", "", 60*48), valid, RuleSameRef},
		}},
		{"another reference at the same place at once", []step{
			{scanAt("P1", "06901", 0), first, RuleFirstUse},
			{scanAt("P2", "06901", 0.1), dup, RuleOtherRef},
		}},
		{"a copy scanned twice stays a copy", []step{
			{scanAt("P1", "", 0), first, RuleFirstUse},
			{scanAt("P2", "", 1), dup, RuleOtherRef},
			{scanAt("P2", "", 2), dup, RuleOtherRef},
		}},
		{"reference first, then no reference at the same place", []step{
			{scanAt("P1", "06901", 0), first, RuleFirstUse},
			{scanAt("", "06901", 1), dup, RuleNoSamePlace},
		}},
		{"reference only first, then no reference with a place", []step{
			{scanAt("P1", "", 0), first, RuleFirstUse},
			{scanAt("", "06901", 1), dup, RuleNoSamePlace},
		}},
		{"nothing first, then a place without reference", []step{
			{scanAt("", "", 0), first, RuleFirstUse},
			{scanAt("", "06901", 1), dup, RuleNoSamePlace},
		}},
		// No references: the same place within the window.
		{"same place within the window, any case and spacing", []step{
			{scanAt("", "Stamford P&DC", 0), first, RuleFirstUse},
			{scanAt("", " stamford p&dc ", 29), valid, RuleSamePlace},
			{scanAt("", "STAMFORD P&DC", 30), valid, RuleSamePlace},
		}},
		{"same place after the window", []step{
			{scanAt("", "06901", 0), first, RuleFirstUse},
			{scanAt("", "06901", 31), dup, RuleLateRescan},
		}},
		{"re-scans do not stretch the window", []step{
			{scanAt("", "06901", 0), first, RuleFirstUse},
			{scanAt("", "06901", 25), valid, RuleSamePlace},
			{scanAt("", "06901", 50), dup, RuleLateRescan},
		}},
		{"another place without reference", []step{
			{scanAt("", "06901", 0), first, RuleFirstUse},
			{scanAt("", "94107", 1), dup, RuleNoSamePlace},
		}},
		{"no reference, no place after a place-only use", []step{
			{scanAt("", "06901", 0), first, RuleFirstUse},
			{scanAt("", "", 1), dup, RuleNoInformation},
		}},
		{"a clock stepping back is not a new piece", []step{
			{scanAt("", "06901", 0), first, RuleFirstUse},
			{scanAt("", "06901", -2), valid, RuleSamePlace},
		}},
		// Every accepted scan counts, not only the first.
		{"a reference first seen on a later accepted scan", []step{
			{scanAt("P1", "", 0), first, RuleFirstUse},
			{scanAt("P1", "06901", 10), valid, RuleSameRef},
			{scanAt("", "06901", 11), dup, RuleNoSamePlace},
			{scanAt("P1", "94107", 90), valid, RuleSameRef},
		}},
		{"a duplicate's place does not make later scans the same piece", []step{
			{scanAt("", "06901", 0), first, RuleFirstUse},
			{scanAt("", "94107", 1), dup, RuleNoSamePlace},
			{scanAt("", "94107", 2), dup, RuleNoSamePlace},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var accepted []Scan
			for i, s := range c.steps {
				d := judgeUse(accepted, s.scan)
				got := valid
				switch {
				case d.Duplicate:
					got = dup
				case d.Rule == RuleFirstUse:
					got = first
				}
				if got != s.want || d.Rule != s.rule {
					t.Errorf("scan %d (ref %q at %q): %s by %s, want %s by %s", i+1, s.scan.PieceRef, s.scan.Location, got, d.Rule, s.want, s.rule)
				}
				if d.Rule != RuleFirstUse && !d.First.At.Equal(accepted[0].At) {
					t.Errorf("scan %d: first scan %v, want the first use %v", i+1, d.First.At, accepted[0].At)
				}
				if !d.Duplicate {
					accepted = append(accepted, s.scan)
				}
			}
		})
	}
}

func TestDuplicateReasonSaysWhy(t *testing.T) {
	firstUse := scanAt("P1", "06901", 0)
	for rule, want := range map[UseRule]string{
		RuleOtherRef:      `piece reference "P2"`,
		RuleLateRescan:    "within 30 minutes",
		RuleNoSamePlace:   "no piece reference",
		RuleNoInformation: "neither a piece reference nor a location",
	} {
		got := duplicateReason(UseDecision{Duplicate: true, Rule: rule, First: firstUse}, scanAt("P2", "", 40))
		if !strings.Contains(got, want) || !strings.Contains(got, "2026-03-02 09:00 UTC at 06901") || !strings.Contains(got, `"P1"`) {
			t.Errorf("%s: %q", rule, got)
		}
	}
}
