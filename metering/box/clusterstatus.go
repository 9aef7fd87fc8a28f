package box

// ClusterStatus is what a box reports about its cluster (/readyz shows it).
// A single box reports Clustered false and Serving true.
type ClusterStatus struct {
	Clustered bool
	NodeID    string
	// State is raft's: Leader, Follower, Candidate or Shutdown.
	State      string
	LeaderID   string
	LeaderAddr string
	Members    []ClusterPeer
	// LastIndex is the last raft log entry this box holds, CommitIndex the
	// last it knows committed, AppliedIndex the last applied to its states.
	LastIndex, CommitIndex, AppliedIndex uint64
	// Serving: this box answers meter operations (the leader, once caught up).
	Serving bool
}

// ClusterStatus reports the box's view of its cluster.
func (b *Box) ClusterStatus() ClusterStatus {
	if cs, ok := b.store.(*clusterStore); ok {
		return cs.status()
	}
	return ClusterStatus{Serving: true}
}
