package box

import (
	"errors"
	"fmt"
)

// Errors a caller branches on. They cross the socket: errors.Is works on
// the client side too.
var (
	ErrTamperMAC         = errors.New("meter record MAC does not verify")
	ErrTamperFreshness   = errors.New("meter record is not the box's current record")
	ErrInsufficientFunds = errors.New("insufficient funds in the descending register")
	ErrMeterNotActive    = errors.New("meter is not active")
	ErrBadRequest        = errors.New("bad request")
	// ErrStale refuses a chained step or a confirmation (chained.go): the
	// box's latest step is not the one the caller built on. Not tamper:
	// nothing changed, and the caller retries under the meter's lock.
	ErrStale = errors.New("record is not the box's latest step")
	// ErrUnknownOp answers an operation the box does not serve (a client
	// newer than the box); Hello says beforehand what it serves.
	ErrUnknownOp = errors.New("unknown operation")
	// ErrRefused answers a peer whose uid the box does not serve
	// (BOX_ALLOWED_UIDS); every request on that connection gets it.
	ErrRefused = errors.New("connection refused by the box")
	// ErrNotLeader answers a meter operation sent to a box of a cluster
	// that is not its leader; the message names the leader if one is known.
	// Nothing was done: the client sends the request to another box.
	ErrNotLeader = errors.New("box is not the cluster leader")
	// ErrUnavailable is what a client reports when no box of the cluster
	// serves: a majority is down or cut off, so none may dispense.
	ErrUnavailable = errors.New("metering unavailable: no box of the cluster is the leader (a majority of boxes is down or cut off)")
)

// TamperError reports a record the box refused as tampered. Kind is
// ErrTamperMAC or ErrTamperFreshness.
type TamperError struct {
	Serial string
	Reason string
	Kind   error
}

func (e *TamperError) Error() string {
	return fmt.Sprintf("box: tamper on meter %s: %v: %s", e.Serial, e.Kind, e.Reason)
}

func (e *TamperError) Unwrap() error { return e.Kind }

func tamper(kind error, serial, format string, args ...any) error {
	return &TamperError{Serial: serial, Reason: fmt.Sprintf(format, args...), Kind: kind}
}

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadRequest, fmt.Sprintf(format, args...))
}
