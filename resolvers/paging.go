package resolvers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/faregraph/faregraph/checkout"
	"github.com/faregraph/faregraph/fault"
	"github.com/faregraph/faregraph/graph/model"
	"github.com/faregraph/faregraph/ids"
	"github.com/faregraph/faregraph/search"
)

// defaultPageSize is a connection's page when neither first nor last is given.
const defaultPageSize = 20

// window is a connection's page request: first/after walks forward,
// last/before backward.
type window struct {
	size     int
	cursor   string // after (forward) or before (backward); "" from the start or the end
	backward bool
}

// pageWindow checks a connection's arguments, all at once: first or last
// (not both), each 0 to search.MaxPageSize; after only with first (or
// alone), before only with last (or alone).
func pageWindow(first *int, after *string, last *int, before *string) (window, error) {
	var e fault.FieldError
	for _, a := range []struct {
		name string
		n    *int
	}{{"first", first}, {"last", last}} {
		if a.n != nil && (*a.n < 0 || *a.n > search.MaxPageSize) {
			e.Add(fault.Path(a.name), fault.OutOfRange, "must be between 0 and %d, got %d", search.MaxPageSize, *a.n)
		}
	}
	if first != nil && last != nil {
		e.Add(fault.Path("last"), fault.Invalid, "give first (walking forward) or last (walking backward), not both")
	}
	if after != nil && before != nil {
		e.Add(fault.Path("before"), fault.Invalid, "give after (walking forward) or before (walking backward), not both")
	}
	if first != nil && before != nil {
		e.Add(fault.Path("before"), fault.Invalid, "walks backward: give it with last, not first")
	}
	if last != nil && after != nil {
		e.Add(fault.Path("after"), fault.Invalid, "walks forward: give it with first, not last")
	}
	if err := e.Err(); err != nil {
		return window{}, err
	}
	w := window{size: defaultPageSize, cursor: deref(after)}
	if first != nil {
		w.size = *first
	}
	if last != nil || before != nil {
		w.backward, w.cursor = true, deref(before)
		if last != nil {
			w.size = *last
		}
	}
	return w, nil
}

// cursorArg is the argument that holds w's cursor.
func (w window) cursorArg() string {
	if w.backward {
		return "before"
	}
	return "after"
}

// pageInfo is the PageInfo of a page of cursors: more says whether the
// list goes on past the page in w's direction; the other way, a page that
// starts at a cursor has the cursor's item before it.
func pageInfo(w window, cursors []string, more bool) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: more, HasPreviousPage: w.cursor != ""}
	if w.backward {
		pi.HasNextPage, pi.HasPreviousPage = w.cursor != "", more
	}
	if len(cursors) > 0 {
		pi.StartCursor, pi.EndCursor = &cursors[0], &cursors[len(cursors)-1]
	}
	return pi
}

// keyset turns w into a database window over a list newest first, whose
// cursors are global ids of type typ holding the item's creation time and
// id, and the hash of the list's filter (scope, "" for none). One row more
// than asked is read, to know whether the list goes on. A cursor of the
// same list under another filter is refused.
func (w window) keyset(typ, scope string) (checkout.Window, error) {
	kw := checkout.Window{Backward: w.backward, Limit: w.size + 1}
	if w.cursor == "" {
		return kw, nil
	}
	t, key, perr := ids.Parse(w.cursor)
	cursorScope := ""
	if strings.HasPrefix(key, "f") {
		cursorScope, key, _ = strings.Cut(key[1:], ":")
	}
	if perr == nil && t == typ && cursorScope != scope {
		return kw, fault.Field(fault.Path(w.cursorArg()), fault.Invalid, "is a cursor of this list under another filter: give the filter it was given with, or start again without a cursor")
	}
	ts, id, ok := strings.Cut(key, "/")
	nanos, aerr := strconv.ParseInt(ts, 10, 64)
	if perr != nil || t != typ || !ok || aerr != nil {
		return kw, fault.Field(fault.Path(w.cursorArg()), fault.Invalid, "is not a cursor of this list")
	}
	kw.At, kw.ID = time.Unix(0, nanos).UTC(), id
	return kw, nil
}

// keysetCursor is the cursor of an item of a keyset list under the filter
// whose hash is scope ("" for none: the cursors made before filters).
func keysetCursor(typ, scope string, createdAt time.Time, id string) string {
	key := strconv.FormatInt(createdAt.UnixNano(), 10) + "/" + id
	if scope != "" {
		key = "f" + scope + ":" + key
	}
	return ids.Global(typ, key)
}

// filterScope is the hash cursors carry of a list's filter, from its
// canonical parts; "" when no part is set.
func filterScope(parts ...string) string {
	if strings.Join(parts, "") == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:8])
}

// keysetList reads a page of a keyset list (newest first, cursors of type
// typ, under the filter whose hash is scope) for a connection's arguments:
// list reads a window, key gives an item's creation time and id. It
// returns the page, its cursors, its PageInfo and how many items there are
// in all.
func keysetList[T any](ctx context.Context, first *int, after *string, last *int, before *string, typ, scope string,
	list func(checkout.Window) ([]T, int, error), key func(T) (time.Time, string)) ([]T, []string, *model.PageInfo, int, error) {
	w, err := pageWindow(first, after, last, before)
	if err != nil {
		return nil, nil, nil, 0, inputErrors(ctx, err)
	}
	kw, err := w.keyset(typ, scope)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	items, total, err := list(kw)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	items, more := keysetPage(w, items)
	cursors := make([]string, len(items))
	for i, it := range items {
		at, id := key(it)
		cursors[i] = keysetCursor(typ, scope, at, id)
	}
	return items, cursors, pageInfo(w, cursors, more), total, nil
}

// keysetPage cuts the rows read for w (one more than asked, newest first)
// to the page: the extra row is the one farthest from the cursor, the
// newest (first) reading backward and the oldest (last) reading forward.
// It returns the page and whether the list goes on past it.
func keysetPage[T any](w window, rows []T) ([]T, bool) {
	if len(rows) <= w.size {
		return rows, false
	}
	if w.backward {
		return rows[len(rows)-w.size:], true
	}
	return rows[:w.size], true
}
