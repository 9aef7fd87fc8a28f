package box

import (
	"context"
	"slices"
)

// KeyVersions are the record-MAC key versions a box holds: Current MACs new
// records, every one of Versions (oldest first) still verifies its records.
type KeyVersions struct {
	Current  string
	Versions []string
}

func (b *Box) currentMAC() string {
	vs := *b.macVersions.Load()
	return vs[len(vs)-1]
}

func (b *Box) keyVersions() KeyVersions {
	vs := slices.Clone(*b.macVersions.Load())
	return KeyVersions{Current: vs[len(vs)-1], Versions: vs}
}

// RotateMAC adds the record-MAC key version (a month, "2027-01") while the
// box runs: the keystore is saved with it (or the token makes it) first (a box that restarts keeps
// it; in a cluster every member's keystore, through the raft log), then new records are MACed with it; old versions stay for the
// records that carry them. Asking for a version the box holds changes
// nothing, so a scheduled rotation may be retried; an older version is
// refused; "" only reports.
func (b *Box) RotateMAC(version string) (KeyVersions, error) {
	if _, clustered := b.store.(*clusterStore); clustered {
		// The leader answers for the cluster; a follower sends the client on.
		if err := b.store.serving(); err != nil {
			return KeyVersions{}, err
		}
	}
	if version == "" {
		return b.keyVersions(), nil
	}
	if !macVersionRE.MatchString(version) {
		return KeyVersions{}, badRequest("record-MAC key version %q: want YYYY-MM", version)
	}
	b.rotMu.Lock()
	defer b.rotMu.Unlock()
	if slices.Contains(*b.macVersions.Load(), version) {
		return b.keyVersions(), nil
	}
	if now := b.currentMAC(); version < now {
		return KeyVersions{}, badRequest("record-MAC key version %s is older than the current %s", version, now)
	}
	if cs, clustered := b.store.(*clusterStore); clustered {
		// Through the raft log: every member's keystore gets the same key
		// before the answer, so a new leader verifies what this one MACs.
		if err := cs.addMACVersion(b.ops, version); err != nil {
			return KeyVersions{}, err
		}
	} else if err := b.ops.AddMACVersion(version); err != nil {
		return KeyVersions{}, err
	}
	b.reloadMACVersions()
	b.log.Info("box: record-MAC key version added", "version", version)
	return b.keyVersions(), nil
}

// reloadMACVersions takes the versions the keystore holds now.
func (b *Box) reloadMACVersions() {
	next := b.ops.MACVersions()
	b.macVersions.Store(&next)
}

// RotateMAC asks the box to add a record-MAC key version ("" only reports
// the versions it holds); see Box.RotateMAC.
func (c *Client) RotateMAC(ctx context.Context, version string) (KeyVersions, error) {
	resp, err := c.call(ctx, &request{Op: opRotateMAC, Version: version})
	return resp.MACKeys, err
}
