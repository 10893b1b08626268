package inbox

import (
	"context"
	"sort"
	"sync"
	"time"
)

// NewMemoryStore returns a Store held in memory: the default for one
// process. It is safe for concurrent use and honours leases as the
// PostgreSQL store does, but what it holds is lost when the process ends, so
// Veriff's retries (hourly, for a week) are then the only redelivery.
func NewMemoryStore() Store {
	return &memStore{all: map[string]*Delivery{}, active: map[string]*Delivery{}, watches: map[string]*memWatch{}}
}

type memStore struct {
	mu      sync.Mutex
	seq     []string             // keys in recording order
	all     map[string]*Delivery // every delivery by key
	active  map[string]*Delivery // pending or leased
	watches map[string]*memWatch
}

type memWatch struct {
	Watch
	ended bool
}

func (m *memStore) Record(_ context.Context, d NewDelivery) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.all[d.Key]; ok {
		return false, nil
	}
	rec := &Delivery{
		Key: d.Key, Kind: d.Kind, SessionID: d.SessionID, Body: append([]byte(nil), d.Body...),
		State: StatePending, NextAttempt: d.At, CreatedAt: d.At, UpdatedAt: d.At,
	}
	m.all[d.Key] = rec
	m.active[d.Key] = rec
	m.seq = append(m.seq, d.Key)
	return true, nil
}

func (m *memStore) Claim(_ context.Context, owner string, now time.Time, lease time.Duration) (*Delivery, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var best *Delivery
	for _, d := range m.active {
		// A leased delivery's NextAttempt is its lease expiry.
		if d.NextAttempt.After(now) {
			continue
		}
		if best == nil || d.NextAttempt.Before(best.NextAttempt) ||
			(d.NextAttempt.Equal(best.NextAttempt) && d.CreatedAt.Before(best.CreatedAt)) {
			best = d
		}
	}
	if best == nil {
		return nil, nil
	}
	best.State = StateLeased
	best.Attempts++
	best.LeaseOwner = owner
	best.LeaseExpires = now.Add(lease)
	best.NextAttempt = best.LeaseExpires
	best.UpdatedAt = now
	return copyDelivery(best), nil
}

// held returns the delivery key leased to owner.
func (m *memStore) held(key, owner string) (*Delivery, error) {
	d := m.active[key]
	if d == nil || d.State != StateLeased || d.LeaseOwner != owner {
		return nil, ErrLeaseLost
	}
	return d, nil
}

func (m *memStore) Complete(_ context.Context, key, owner string, now time.Time) error {
	return m.finish(key, owner, now, StateDone, "")
}

func (m *memStore) Fail(_ context.Context, key, owner string, now time.Time, lastErr string) error {
	return m.finish(key, owner, now, StateFailed, lastErr)
}

func (m *memStore) finish(key, owner string, now time.Time, state State, lastErr string) error {
	return m.release(key, owner, state, func(d *Delivery) {
		d.UpdatedAt, d.DoneAt = now, now
		if lastErr != "" {
			d.LastError = lastErr
		}
		delete(m.active, key)
	})
}

func (m *memStore) Retry(_ context.Context, key, owner string, next time.Time, lastErr string) error {
	return m.release(key, owner, StatePending, func(d *Delivery) {
		d.NextAttempt, d.LastError = next, lastErr
		d.UpdatedAt = time.Now()
	})
}

// release ends owner's lease of the delivery key, leaving it in state, and
// lets set record the rest, with m.mu held.
func (m *memStore) release(key, owner string, state State, set func(d *Delivery)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, err := m.held(key, owner)
	if err != nil {
		return err
	}
	d.State, d.LeaseOwner, d.LeaseExpires = state, "", time.Time{}
	set(d)
	return nil
}

func (m *memStore) List(_ context.Context, f Filter) ([]Delivery, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Delivery
	for _, k := range m.seq {
		d := m.all[k]
		if (f.State != "" && d.State != f.State) || (f.SessionID != "" && d.SessionID != f.SessionID) {
			continue
		}
		out = append(out, *copyDelivery(d))
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

func copyDelivery(d *Delivery) *Delivery {
	c := *d
	c.Body = append([]byte(nil), d.Body...)
	return &c
}

func (m *memStore) Watch(_ context.Context, sessionID string, now, due time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.watches[sessionID]; !ok {
		m.watches[sessionID] = &memWatch{Watch: Watch{SessionID: sessionID, NextCheck: due, CreatedAt: now}}
	}
	return nil
}

func (m *memStore) ClaimWatches(_ context.Context, now time.Time, lease time.Duration, limit int) ([]Watch, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var due []*memWatch
	for _, w := range m.watches {
		if !w.ended && !w.NextCheck.After(now) {
			due = append(due, w)
		}
	}
	sort.Slice(due, func(i, j int) bool { return due[i].NextCheck.Before(due[j].NextCheck) })
	if limit > 0 && len(due) > limit {
		due = due[:limit]
	}
	out := make([]Watch, len(due))
	for i, w := range due {
		out[i] = w.Watch
		w.NextCheck = now.Add(lease)
	}
	return out, nil
}

func (m *memStore) RescheduleWatch(_ context.Context, sessionID string, next time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if w := m.watches[sessionID]; w != nil && !w.ended {
		w.Checks++
		w.NextCheck = next
	}
	return nil
}

func (m *memStore) EndWatch(_ context.Context, sessionID string, _ WatchOutcome, _ time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if w := m.watches[sessionID]; w != nil {
		w.ended = true
	}
	return nil
}
