package meteringtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"indicia/metering/box"
)

// Cluster is a box cluster of real `indicia box` processes sharing one
// keystore, each with its own socket, state directory and peer port. Its
// Box's Client knows every member's socket and follows the leader.
type Cluster struct {
	*Box
	Members []*Member
	peers   string
}

// Member is one box process of a Cluster.
type Member struct {
	ID       string
	Socket   string
	State    string
	PeerAddr string
	cmd      *exec.Cmd
	exited   chan error
}

// StartCluster runs n box processes as one cluster and waits until one of
// them leads.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	c := &Cluster{Box: newDirs(t)}
	var peers, sockets []string
	for i := range n {
		m := &Member{ID: fmt.Sprintf("b%d", i+1), Socket: filepath.Join(c.Dir, fmt.Sprintf("s%d", i+1), "box.sock"),
			State: filepath.Join(c.Dir, fmt.Sprintf("state%d", i+1)), PeerAddr: freeAddr(t)}
		c.Members = append(c.Members, m)
		peers = append(peers, m.ID+"="+m.PeerAddr)
		sockets = append(sockets, m.Socket)
	}
	c.peers = strings.Join(peers, ",")
	c.Socket = strings.Join(sockets, ",")
	for i := range c.Members {
		c.spawnMember(t, i)
	}
	t.Cleanup(func() {
		if c.Client != nil {
			c.Client.Close()
		}
		for _, m := range c.Members {
			m.Kill()
		}
	})
	c.Leader(t)
	cl, err := box.Dial(c.Socket)
	if err != nil {
		t.Fatal(err)
	}
	c.Client = cl
	return c
}

// freeAddr returns a loopback address with a port nothing listens on.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (c *Cluster) spawnMember(t testing.TB, i int) {
	t.Helper()
	m := c.Members[i]
	cmd := exec.Command(Binary(t), "box")
	cmd.Env = append(os.Environ(), "BOX_SOCKET="+m.Socket, "BOX_KEYSTORE="+c.Keystore, "BOX_PASSPHRASE="+Passphrase,
		"BOX_STATE_DIR="+m.State, "BOX_NODE_ID="+m.ID, "BOX_PEERS="+c.peers, "LOG_LEVEL=warn")
	if os.Getenv("BOX_CLUSTER_TEST_LOG") != "" {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	m.cmd = cmd
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	m.exited = done
}

// Kill ends the member's process at once (SIGKILL).
func (m *Member) Kill() {
	if m.cmd != nil && m.cmd.Process != nil {
		m.cmd.Process.Signal(syscall.SIGKILL)
		<-m.exited
		m.cmd = nil
	}
}

// Running reports whether the member's process runs.
func (m *Member) Running() bool { return m.cmd != nil }

// Restart starts a killed member again on its state directory.
func (c *Cluster) Restart(t testing.TB, i int) { c.spawnMember(t, i) }

// Status asks every member for its view of the cluster.
func (c *Cluster) Status() []box.MemberStatus {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return box.AskClusterStatus(ctx, box.SocketList(c.Socket))
}

// Leader waits up to 20 s for a member that serves and returns its index.
func (c *Cluster) Leader(t testing.TB) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for i, s := range c.Status() {
			if s.Err == nil && s.Status.Serving && c.Members[i].Running() {
				return i
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no box of the cluster leads after 20 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
