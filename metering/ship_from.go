package metering

import (
	"encoding/json"
	"fmt"
)

// shipFromOf reads the stored return address lines (NULL: none).
func shipFromOf(j []byte) ([]string, error) {
	if len(j) == 0 {
		return nil, nil
	}
	var out []string
	if err := json.Unmarshal(j, &out); err != nil {
		return nil, fmt.Errorf("metering: stored ship-from lines: %w", err)
	}
	return out, nil
}
