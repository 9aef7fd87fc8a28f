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
	// MissingMACVersions are record-MAC key versions the cluster added
	// that this box could not import, with why; such a box never serves.
	MissingMACVersions []string
}

// ClusterStatus reports the box's view of its cluster.
func (b *Box) ClusterStatus() ClusterStatus {
	if cs, ok := b.store.(*clusterStore); ok {
		return cs.status()
	}
	return ClusterStatus{Serving: true}
}

// ClusterReport is the box cluster as /readyz shows it: the leader, and
// per member its state, its last log index and how far its applied states
// lag the leader's commit index.
type ClusterReport struct {
	Leader      string          `json:"leader"`
	CommitIndex uint64          `json:"commit_index"`
	Members     []ClusterMember `json:"members"`
}

// ClusterMember is one member in a ClusterReport.
type ClusterMember struct {
	ID        string `json:"id"`
	Socket    string `json:"socket"`
	Up        bool   `json:"up"`
	State     string `json:"state,omitempty"`
	LastIndex uint64 `json:"last_index"`
	Applied   uint64 `json:"applied_index"`
	Lag       uint64 `json:"lag"`
}

// ReportCluster summarizes what the members answered.
func ReportCluster(sts []MemberStatus) ClusterReport {
	var r ClusterReport
	for _, m := range sts {
		if m.Err == nil && m.Status.Serving {
			r.Leader, r.CommitIndex = m.Status.NodeID, m.Status.CommitIndex
		}
	}
	for _, m := range sts {
		cm := ClusterMember{Socket: m.Socket, Up: m.Err == nil}
		if m.Err == nil {
			cm.ID, cm.State, cm.LastIndex, cm.Applied = m.Status.NodeID, m.Status.State, m.Status.LastIndex, m.Status.AppliedIndex
			if r.CommitIndex > cm.Applied {
				cm.Lag = r.CommitIndex - cm.Applied
			}
		}
		r.Members = append(r.Members, cm)
	}
	return r
}
