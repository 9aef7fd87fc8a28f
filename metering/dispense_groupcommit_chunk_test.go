package metering

import (
	"testing"

	"indicia/metering/box"
)

// chunkJobs keeps every box request within the box's many-meter limits and
// loses or reorders no job.
func TestChunkJobsWithinBoxLimits(t *testing.T) {
	job := func(pieces int) *groupJob { return &groupJob{pieces: make([]box.Piece, pieces)} }
	cases := map[string][]*groupJob{"none": nil}
	for range box.MaxManyItems + 3 {
		cases["many meters"] = append(cases["many meters"], job(1))
	}
	for range 5 {
		cases["many pieces"] = append(cases["many pieces"], job(box.MaxManyPieces/3))
	}
	cases["one over the limit"] = []*groupJob{job(box.MaxManyPieces + 1), job(1)}
	for name, jobs := range cases {
		var got []*groupJob
		for _, c := range chunkJobs(jobs) {
			pieces := 0
			for _, j := range c {
				pieces += len(j.pieces)
			}
			if len(c) == 0 || len(c) > box.MaxManyItems || (pieces > box.MaxManyPieces && len(c) > 1) {
				t.Errorf("%s: chunk of %d jobs, %d pieces", name, len(c), pieces)
			}
			got = append(got, c...)
		}
		if len(got) != len(jobs) {
			t.Fatalf("%s: %d jobs chunked into %d", name, len(jobs), len(got))
		}
		for i := range got {
			if got[i] != jobs[i] {
				t.Errorf("%s: job %d moved", name, i)
			}
		}
	}
}
