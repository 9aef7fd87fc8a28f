package box

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
)

// ClusterConfig makes the box a member of a box cluster: its freshness
// store is then replicated with raft (clusterstore.go) instead of kept in
// the single box's log. Empty (no peers): one box, as before.
type ClusterConfig struct {
	// NodeID names this box among the peers (BOX_NODE_ID).
	NodeID string
	// PeerAddr is the host:port this box listens on for its peers and that
	// they reach it at (BOX_PEER_ADDR).
	PeerAddr string
	// Peers are all the members, this one included (BOX_PEERS,
	// "id=host:port,..."); an odd number, usually three.
	Peers []ClusterPeer
	// RaftDir holds the raft log, its stable store and the snapshots
	// (BOX_RAFT_DIR; default BOX_STATE_DIR/raft).
	RaftDir string
}

// ClusterPeer is one member of the cluster.
type ClusterPeer struct {
	ID   string
	Addr string
}

// Enabled reports whether the box runs as a cluster member.
func (c *ClusterConfig) Enabled() bool { return c != nil && len(c.Peers) > 0 }

// clusterFromEnv reads BOX_NODE_ID, BOX_PEER_ADDR, BOX_PEERS and
// BOX_RAFT_DIR; nil when BOX_PEERS is empty.
func clusterFromEnv(getenv func(string) string, stateDir string) (*ClusterConfig, error) {
	peers := strings.TrimSpace(getenv("BOX_PEERS"))
	if peers == "" {
		for _, name := range []string{"BOX_NODE_ID", "BOX_PEER_ADDR", "BOX_RAFT_DIR"} {
			if getenv(name) != "" {
				return nil, fmt.Errorf("box: %s is set but BOX_PEERS is empty: a cluster needs its members listed", name)
			}
		}
		return nil, nil
	}
	c := &ClusterConfig{NodeID: getenv("BOX_NODE_ID"), PeerAddr: getenv("BOX_PEER_ADDR"),
		RaftDir: envOr(getenv, "BOX_RAFT_DIR", filepath.Join(stateDir, "raft"))}
	var err error
	if c.Peers, err = ParsePeers(peers); err != nil {
		return nil, err
	}
	return c, c.check()
}

// ParsePeers reads BOX_PEERS: id=host:port pairs separated by commas.
func ParsePeers(s string) ([]ClusterPeer, error) {
	var out []ClusterPeer
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		id, addr, ok := strings.Cut(f, "=")
		if !ok || !nodeIDRE.MatchString(id) {
			return nil, fmt.Errorf("box: BOX_PEERS: %q: want id=host:port with an id of 1-32 of a-z, 0-9 and -", f)
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return nil, fmt.Errorf("box: BOX_PEERS: %q: %w", f, err)
		}
		if slices.ContainsFunc(out, func(p ClusterPeer) bool { return p.ID == id || p.Addr == addr }) {
			return nil, fmt.Errorf("box: BOX_PEERS: %q: id or address given twice", f)
		}
		out = append(out, ClusterPeer{ID: id, Addr: addr})
	}
	return out, nil
}

func (c *ClusterConfig) check() error {
	if len(c.Peers)%2 == 0 {
		// An even number tolerates no more failures than one fewer, and
		// splits evenly more often.
		return fmt.Errorf("box: BOX_PEERS lists %d boxes: want an odd number (3 or 5)", len(c.Peers))
	}
	i := slices.IndexFunc(c.Peers, func(p ClusterPeer) bool { return p.ID == c.NodeID })
	switch {
	case c.NodeID == "":
		return errors.New("box: BOX_NODE_ID is required with BOX_PEERS")
	case i < 0:
		return fmt.Errorf("box: BOX_NODE_ID %q is not one of BOX_PEERS", c.NodeID)
	case c.PeerAddr == "":
		c.PeerAddr = c.Peers[i].Addr
	case c.PeerAddr != c.Peers[i].Addr:
		return fmt.Errorf("box: BOX_PEER_ADDR %s is not the address BOX_PEERS gives %s (%s)", c.PeerAddr, c.NodeID, c.Peers[i].Addr)
	}
	return nil
}

// peerID returns the id of the peer at addr.
func (c *ClusterConfig) peerID(addr string) (string, bool) {
	for _, p := range c.Peers {
		if p.Addr == addr {
			return p.ID, true
		}
	}
	return "", false
}
