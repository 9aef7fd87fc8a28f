package box

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ProtocolVersion is the box protocol this package speaks. A box announces
// its version and its operations in answer to Hello, so a client decides
// what to ask for from the answer rather than from a refusal. Version 1 is
// a box older than Hello: it serves the base operations only.
const ProtocolVersion = 2

// The operations by the names Hello announces.
const (
	OpPing            = "Ping"
	OpCertificates    = "Certificates"
	OpCreateMeter     = "CreateMeter"
	OpDispense        = "Dispense"
	OpCredit          = "Credit"
	OpSetStatus       = "SetStatus"
	OpSetOrigin       = "SetOrigin"
	OpCommit          = "Commit"
	OpVerifyRecord    = "VerifyRecord"
	OpSignTransaction = "SignTransaction"
	OpPepper          = "Pepper"
	OpDispenseMany    = "DispenseMany"
	OpCommitMany      = "CommitMany"
	OpDispenseChained = "DispenseChained"
	OpConfirm         = "Confirm"
	OpHello           = "Hello"
	// OpSignRevocationList signs the meter certificate revocation list.
	OpSignRevocationList = "SignRevocationList"
	// OpRotateMAC adds a record-MAC key version while the box runs, or
	// reports the versions it holds.
	OpRotateMAC = "RotateMAC"
	// OpClusterStatus reports the box cluster (leader, members, indexes).
	OpClusterStatus = "ClusterStatus"
)

// opNames names every operation this box serves, by wire number.
var opNames = map[uint8]string{
	opPing: OpPing, opCertificates: OpCertificates, opCreateMeter: OpCreateMeter, opDispense: OpDispense, opCredit: OpCredit,
	opSetStatus: OpSetStatus, opSetOrigin: OpSetOrigin, opCommit: OpCommit, opVerifyRecord: OpVerifyRecord,
	opSignTransaction: OpSignTransaction, opPepper: OpPepper, opDispenseMany: OpDispenseMany, opCommitMany: OpCommitMany,
	opDispenseChained: OpDispenseChained, opConfirm: OpConfirm, opHello: OpHello, opSignRevocationList: OpSignRevocationList,
	opRotateMAC: OpRotateMAC,
	opDebit:     OpDebit, opClusterStatus: OpClusterStatus, opDispenseChunked: OpDispenseChunked,
}

// baseOps are the operations every box serves, a box older than Hello too.
var baseOps = []string{OpPing, OpCertificates, OpCreateMeter, OpDispense, OpCredit, OpSetStatus, OpSetOrigin, OpCommit,
	OpVerifyRecord, OpSignTransaction, OpPepper}

// Capabilities is what a box announced: its protocol version and the
// operations it serves.
type Capabilities struct {
	Protocol int
	Ops      []string
}

// Supports reports whether the box serves every one of ops.
func (c Capabilities) Supports(ops ...string) bool {
	for _, op := range ops {
		if !slices.Contains(c.Ops, op) {
			return false
		}
	}
	return true
}

// BaseCapabilities are those of a box older than Hello.
func BaseCapabilities() Capabilities {
	return Capabilities{Protocol: 1, Ops: slices.Clone(baseOps)}
}

// served is this box's answer to Hello.
func served() Capabilities {
	ops := make([]string, 0, len(opNames))
	for op := uint8(1); int(op) <= len(opNames); op++ {
		ops = append(ops, opNames[op])
	}
	return Capabilities{Protocol: ProtocolVersion, Ops: ops}
}

// helloTimeout bounds the Hello that Dial sends.
const helloTimeout = 5 * time.Second

// Capabilities returns what the box announced. It is asked once, at Dial
// or on first use, and again after the client had to redial (the box may
// have been restarted as another version).
func (c *Client) Capabilities(ctx context.Context) (Capabilities, error) {
	if p := c.caps.Load(); p != nil {
		return *p, nil
	}
	gen := c.redials.Load()
	resp, err := c.call(ctx, &request{Op: opHello})
	var caps Capabilities
	switch {
	case err == nil:
		caps = Capabilities{Protocol: resp.Protocol, Ops: resp.Ops}
	case errors.Is(err, ErrUnknownOp), errors.Is(err, ErrBadRequest):
		// The one place an unknown operation is interpreted: a box older
		// than Hello answers it as a bad request (Hello carries nothing
		// that could be bad), and serves the base operations only.
		caps = BaseCapabilities()
	default:
		return Capabilities{}, fmt.Errorf("box: hello: %w", err)
	}
	if c.redials.Load() == gen { // an answer from before a redial may be another box's
		c.caps.Store(&caps)
	}
	return caps, nil
}
