package postage

import (
	"context"
	"errors"
	"fmt"

	"indicia/apperr"
	"indicia/hygiene/address"
	"indicia/hygiene/coa"
)

// ErrRecipientMoved is what Buy answers for a recipient who moved, unless
// the piece accepts it: errors.Is(err, ErrRecipientMoved); errors.As with a
// *MovedError gives the piece and the move.
var ErrRecipientMoved = errors.New("postage: recipient moved")

// CodeRecipientMoved is the error code clients see for a moved recipient.
const CodeRecipientMoved = "recipient_moved"

// MovedError is a purchase refused because a recipient moved. It unwraps to
// a conflict (apperr) carrying the new address, so every door maps it the
// same way.
type MovedError struct {
	Index int // the piece, in the order
	Field string
	Move  coa.Move
}

func (e *MovedError) Error() string {
	return fmt.Sprintf("postage: recipient of piece %d moved (match %d)", e.Index, e.Move.RecordID)
}

// Is makes errors.Is(err, ErrRecipientMoved) true.
func (e *MovedError) Is(target error) bool { return target == ErrRecipientMoved }

// Unwrap gives the user-facing conflict.
func (e *MovedError) Unwrap() error {
	m := e.Move
	details := map[string]any{
		"match_id":  m.RecordID,
		"move_type": m.MoveType,
		"move_code": string(m.Code),
		"effective": m.Effective.Format("2006-01"),
	}
	msg := "This recipient has moved (" + m.Code.Label() + "); nothing was bought."
	if na := m.NewOneLine(); na != "" {
		details["new_address"] = map[string]string{"line1": m.New.Line1, "line2": m.New.Line2, "city": m.New.City,
			"state": m.New.State, "zip": m.New.ZIP, "zip4": m.NewZIP4, "one_line": na}
		msg = "This recipient has moved to " + na + "; nothing was bought."
	}
	msg += " Send the new address, or buy to the old one with \"accept_moved\": true."
	return &apperr.Error{Kind: apperr.KindConflict, Code: CodeRecipientMoved, Field: e.Field, Message: msg, Details: details}
}

// moved looks the cleansed recipient up in the change-of-address matches.
func (s *Service) moved(ctx context.Context, accountID int64, res address.Result, name string) (*coa.Move, error) {
	if s.d.Moves == nil {
		return nil, nil
	}
	mv, err := s.d.Moves.Lookup(ctx, accountID, res, name)
	if err != nil {
		return nil, fmt.Errorf("postage: change-of-address lookup: %w", err)
	}
	return mv, nil
}

// refuseMoved refuses the first moved piece the order did not accept.
func refuseMoved(q Quote) error {
	for i, p := range q.Pieces {
		if p.Moved != nil && !p.AcceptMoved {
			return &MovedError{Index: i, Field: apperr.PiecePrefix(i, len(q.Pieces)) + "recipient.address", Move: *p.Moved}
		}
	}
	return nil
}
