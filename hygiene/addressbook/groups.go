package addressbook

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
)

// Group is a saved, named set of address-book entries of one account.
type Group struct {
	ID        int64
	Name      string
	Members   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MaxGroupName bounds a group's name, so it fits on a select and a heading.
const MaxGroupName = 100

// MaxGroupMembers bounds a group to what one batch may buy for.
const MaxGroupMembers = 1000

func groupName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", apperr.Invalid("name", "Enter a name for the group.")
	case utf8.RuneCountInString(name) > MaxGroupName:
		return "", apperr.Invalid("name", fmt.Sprintf("A group's name has at most %d characters.", MaxGroupName))
	}
	return name, nil
}

func groupNameTaken(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return apperr.Conflict("name", "You already have a group with this name.")
	}
	return err
}

var errNoGroup = apperr.NotFound("No such group in your address book.")

// Groups lists the account's groups by name, with their sizes.
func (b *Book) Groups(ctx context.Context, actor accounts.User) ([]Group, error) {
	if err := AuthorizeRead(actor); err != nil {
		return nil, err
	}
	rows, err := b.pool.Query(ctx, `SELECT g.id, g.name, (SELECT count(*) FROM address_group_members m WHERE m.group_id = g.id), g.created_at, g.updated_at
		FROM address_groups g WHERE g.account_id = $1 ORDER BY lower(g.name), g.id`, actor.AccountID)
	if err != nil {
		return nil, fmt.Errorf("addressbook: list groups: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Group, error) {
		var g Group
		err := r.Scan(&g.ID, &g.Name, &g.Members, &g.CreatedAt, &g.UpdatedAt)
		return g, err
	})
}

// Group returns one of the account's groups and its entries, ordered by name.
func (b *Book) Group(ctx context.Context, actor accounts.User, id int64) (Group, []Entry, error) {
	if err := AuthorizeRead(actor); err != nil {
		return Group{}, nil, err
	}
	g, err := getGroup(ctx, b.pool, actor.AccountID, id, false)
	if err != nil {
		return Group{}, nil, err
	}
	rows, err := b.pool.Query(ctx, `SELECT `+entryColumns+` FROM address_book
		WHERE account_id = $1 AND id IN (SELECT entry_id FROM address_group_members WHERE group_id = $2)
		ORDER BY lower(name), lower(company), id`, actor.AccountID, id)
	if err != nil {
		return Group{}, nil, fmt.Errorf("addressbook: members of group %d: %w", id, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) { return scanEntry(r) })
	if err != nil {
		return Group{}, nil, fmt.Errorf("addressbook: members of group %d: %w", id, err)
	}
	g.Members = len(list)
	return g, list, nil
}

func getGroup(ctx context.Context, q querier, account, id int64, lock bool) (Group, error) {
	sql := `SELECT id, name, created_at, updated_at FROM address_groups WHERE id = $1 AND account_id = $2`
	if lock {
		sql += ` FOR UPDATE`
	}
	var g Group
	err := q.QueryRow(ctx, sql, id, account).Scan(&g.ID, &g.Name, &g.CreatedAt, &g.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Group{}, errNoGroup
	}
	if err != nil {
		return Group{}, fmt.Errorf("addressbook: load group %d: %w", id, err)
	}
	return g, nil
}

// CreateGroup saves a new group named name holding the given entries of
// the account (none is allowed: members can be added later).
func (b *Book) CreateGroup(ctx context.Context, actor accounts.User, name string, entries []int64) (Group, error) {
	if err := AuthorizeEdit(actor); err != nil {
		return Group{}, err
	}
	name, err := groupName(name)
	if err != nil {
		return Group{}, err
	}
	var g Group
	err = db.Transact(ctx, b.pool, func(tx pgx.Tx) error {
		now := b.now()
		if err := tx.QueryRow(ctx, `INSERT INTO address_groups (account_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id, name, created_at, updated_at`,
			actor.AccountID, name, now).Scan(&g.ID, &g.Name, &g.CreatedAt, &g.UpdatedAt); err != nil {
			return groupNameTaken(err)
		}
		n, err := addMembers(ctx, tx, actor.AccountID, g.ID, entries)
		g.Members = n
		return err
	})
	if err != nil {
		return Group{}, fmt.Errorf("addressbook: create group: %w", err)
	}
	return g, nil
}

// GroupChange is an edit of a group: a new name (empty keeps it), entries
// to add and entries to remove.
type GroupChange struct {
	Name   string
	Add    []int64
	Remove []int64
}

// UpdateGroup renames a group and adds and removes members, all or nothing.
func (b *Book) UpdateGroup(ctx context.Context, actor accounts.User, id int64, ch GroupChange) (Group, error) {
	if err := AuthorizeEdit(actor); err != nil {
		return Group{}, err
	}
	name := ""
	if strings.TrimSpace(ch.Name) != "" {
		var err error
		if name, err = groupName(ch.Name); err != nil {
			return Group{}, err
		}
	}
	var g Group
	err := db.Transact(ctx, b.pool, func(tx pgx.Tx) error {
		var err error
		if g, err = getGroup(ctx, tx, actor.AccountID, id, true); err != nil {
			return err
		}
		if name != "" && name != g.Name {
			if _, err := tx.Exec(ctx, `UPDATE address_groups SET name = $1 WHERE id = $2`, name, id); err != nil {
				return groupNameTaken(err)
			}
			g.Name = name
		}
		if len(ch.Remove) > 0 {
			if _, err := tx.Exec(ctx, `DELETE FROM address_group_members WHERE group_id = $1 AND entry_id = ANY($2)`, id, ch.Remove); err != nil {
				return fmt.Errorf("remove members: %w", err)
			}
		}
		if g.Members, err = addMembers(ctx, tx, actor.AccountID, id, ch.Add); err != nil {
			return err
		}
		g.UpdatedAt = b.now()
		_, err = tx.Exec(ctx, `UPDATE address_groups SET updated_at = $1 WHERE id = $2`, g.UpdatedAt, id)
		return err
	})
	if err != nil {
		return Group{}, fmt.Errorf("addressbook: update group %d: %w", id, err)
	}
	return g, nil
}

// addMembers adds the account's entries to the group (again is harmless)
// and returns the group's size. An id that is not an entry of the account
// refuses the whole change.
func addMembers(ctx context.Context, tx pgx.Tx, account, group int64, entries []int64) (int, error) {
	if len(entries) > 0 {
		var known int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM address_book WHERE account_id = $1 AND id = ANY($2)`, account, entries).Scan(&known); err != nil {
			return 0, fmt.Errorf("check members: %w", err)
		}
		if known != len(distinct(entries)) {
			return 0, apperr.Invalid("entry_ids", "One of the chosen entries is not in your address book; choose again.")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO address_group_members (group_id, entry_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`,
			group, entries); err != nil {
			return 0, fmt.Errorf("add members: %w", err)
		}
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM address_group_members WHERE group_id = $1`, group).Scan(&n); err != nil {
		return 0, fmt.Errorf("count members: %w", err)
	}
	if n > MaxGroupMembers {
		return 0, apperr.Invalid("entry_ids", fmt.Sprintf("A group holds at most %d entries, as many as one batch.", MaxGroupMembers))
	}
	return n, nil
}

func distinct(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// DeleteGroup removes a group; its entries stay in the address book.
func (b *Book) DeleteGroup(ctx context.Context, actor accounts.User, id int64) error {
	if err := AuthorizeEdit(actor); err != nil {
		return err
	}
	tag, err := b.pool.Exec(ctx, `DELETE FROM address_groups WHERE id = $1 AND account_id = $2`, id, actor.AccountID)
	if err != nil {
		return fmt.Errorf("addressbook: delete group %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return errNoGroup
	}
	return nil
}
