package address

// osaDistance is the optimal-string-alignment (Damerau) edit distance of two
// ASCII upper-case strings: insertions, deletions, substitutions and adjacent
// transpositions each cost 1. It stops early and returns limit+1 once the
// distance must exceed limit; typos in city names and street suffixes are one
// or two edits, so most comparisons end after a few rows.
func osaDistance(a, b string, limit int) int {
	if a == b {
		return 0
	}
	la, lb := len(a), len(b)
	if la-lb > limit || lb-la > limit {
		return limit + 1
	}
	if la > 64 || lb > 64 {
		return limit + 1
	}
	// Only the cells within limit of the diagonal can hold a distance of
	// limit or less; the cells just outside that band hold limit+1.
	out := limit + 1
	var rows [3][65]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= lb; j++ {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		lo, hi := max(1, i-limit), min(lb, i+limit)
		rowMin := out
		if lo == 1 {
			cur[0], rowMin = i, i
		} else {
			cur[lo-1] = out
		}
		if hi < lb {
			cur[hi+1] = out
		}
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := prev[j] + 1
			if w := cur[j-1] + 1; w < v {
				v = w
			}
			if w := prev[j-1] + cost; w < v {
				v = w
			}
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				if w := prev2[j-2] + 1; w < v {
					v = w
				}
			}
			cur[j] = v
			if v < rowMin {
				rowMin = v
			}
		}
		if rowMin > limit {
			return out
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[lb] > limit {
		return out
	}
	return prev[lb]
}
