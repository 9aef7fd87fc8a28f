package box

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Following the leader of a box cluster. The client holds every member's
// socket and sends to one; a member that is not the leader answers
// ErrNotLeader without doing anything, and a member that died cannot be
// reached: in both cases the client sends the same request to the next
// member, round the list, until one serves or failoverWait has passed
// (then ErrUnavailable: a majority is down, nothing may be dispensed).
//
// Sending a request again is safe even when the first box carried it out
// and died before answering (or lost its leadership after its write was
// replicated): every step-changing request presents the meter record the
// caller read under the meter's row lock, so the box that gets it again
// resolves whatever the first attempt left pending by that record, exactly
// as after a single box's crash: a record n with step n+1 pending means the
// database never stored n+1 (nobody was answered on it), so the step is
// dropped and taken again. Commit of a counter already committed is a
// no-op, Confirm answers only for a step the cluster holds, a chained step
// finding its slot taken answers ErrStale, and the other operations change
// no freshness state.

// failoverWait bounds how long a request looks for a leader: an election
// takes about a second, so this rides out a leader's death and gives up on
// a lost majority.
const failoverWait = 8 * time.Second

// transportError is a request that failed on the connection, not by the
// box's answer: the box may or may not have carried it out.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// SocketList splits a comma-separated list of box sockets.
func SocketList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (c *Client) call(ctx context.Context, req *request) (response, error) {
	if len(c.paths) == 1 {
		return c.callOnce(ctx, req)
	}
	deadline := time.Now().Add(failoverWait)
	for tries := 1; ; tries++ {
		at := c.target.Load()
		resp, err := c.callOnce(ctx, req)
		var te *transportError
		if err == nil || !(errors.Is(err, ErrNotLeader) || errors.As(err, &te)) {
			return resp, err
		}
		c.target.CompareAndSwap(at, (at+1)%uint32(len(c.paths)))
		if time.Now().After(deadline) {
			return response{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		if tries%len(c.paths) == 0 {
			// Every member was asked: wait for an election.
			select {
			case <-ctx.Done():
				return response{}, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// MemberStatus is one socket's answer to ClusterStatus.
type MemberStatus struct {
	Socket string
	Status ClusterStatus
	Err    error
}

// ClusterStatus asks every box the client knows for its view of the
// cluster, each on a connection of its own.
func (c *Client) ClusterStatus(ctx context.Context) []MemberStatus {
	return askClusterStatus(ctx, c.paths, c.dial)
}

// AskClusterStatus asks the box at each local socket for its view of the
// cluster.
func AskClusterStatus(ctx context.Context, sockets []string) []MemberStatus {
	return askClusterStatus(ctx, sockets, (&Client{}).dial)
}

func askClusterStatus(ctx context.Context, sockets []string, dial func(context.Context, string) (net.Conn, error)) []MemberStatus {
	out := make([]MemberStatus, len(sockets))
	done := make(chan struct{}, len(sockets))
	for i, p := range sockets {
		go func() {
			defer func() { done <- struct{}{} }()
			out[i] = MemberStatus{Socket: p}
			out[i].Status, out[i].Err = askStatus(ctx, p, dial)
		}()
	}
	for range sockets {
		<-done
	}
	return out
}

func askStatus(ctx context.Context, path string, dial func(context.Context, string) (net.Conn, error)) (ClusterStatus, error) {
	conn, err := dial(ctx, path)
	if err != nil {
		return ClusterStatus{}, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(2 * time.Second))
	}
	frame, err := appendRequestFrame(nil, &request{ID: 1, Op: opClusterStatus})
	if err != nil {
		return ClusterStatus{}, err
	}
	if _, err := conn.Write(frame); err != nil {
		return ClusterStatus{}, err
	}
	body, err := readFrame(bufio.NewReader(conn), nil)
	if err != nil {
		return ClusterStatus{}, fmt.Errorf("box: cluster status: %w", err)
	}
	resp, err := decodeResponse(body)
	if err != nil {
		return ClusterStatus{}, err
	}
	if resp.Err != nil {
		return ClusterStatus{}, resp.Err.err()
	}
	return resp.Cluster, nil
}
