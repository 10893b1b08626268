package inbox

import (
	"context"
	"sort"
	"strconv"
	"sync"
	"time"
)

// NewMemoryStore returns a Store held in memory: the default for one
// process. It is safe for concurrent use and honours leases and their
// tokens as the PostgreSQL store does, but what it holds is lost when the
// process ends, so Veriff's retries (hourly, for a week) are then the only
// redelivery. Its clock is the process's.
func NewMemoryStore() Store {
	return &memStore{all: map[string]*Delivery{}, active: map[string]*Delivery{}, watches: map[string]*memWatch{}}
}

type memStore struct {
	mu      sync.Mutex
	tokens  uint64               // lease tokens handed out
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
	now := time.Now()
	rec := &Delivery{
		Key: d.Key, Kind: d.Kind, SessionID: d.SessionID, Body: append([]byte(nil), d.Body...),
		State: StatePending, NextAttempt: now, CreatedAt: now, UpdatedAt: now,
	}
	m.all[d.Key] = rec
	m.active[d.Key] = rec
	m.seq = append(m.seq, d.Key)
	return true, nil
}

func (m *memStore) Claim(_ context.Context, owner string, lease time.Duration) (*Delivery, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
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
	m.tokens++
	best.State = StateLeased
	best.Attempts++
	best.LeaseOwner = owner
	best.LeaseToken = "mem-" + strconv.FormatUint(m.tokens, 10)
	best.LeaseExpires = now.Add(lease)
	best.NextAttempt = best.LeaseExpires
	best.UpdatedAt = now
	return copyDelivery(best), nil
}

func (m *memStore) Complete(_ context.Context, key, token string) error {
	return m.release(key, token, StateDone, func(d *Delivery, now time.Time) {
		d.DoneAt = now
		delete(m.active, key)
	})
}

func (m *memStore) Fail(_ context.Context, key, token, lastErr string) error {
	return m.release(key, token, StateFailed, func(d *Delivery, now time.Time) {
		d.DoneAt, d.LastError = now, lastErr
		delete(m.active, key)
	})
}

func (m *memStore) Retry(_ context.Context, key, token string, delay time.Duration, lastErr string) error {
	return m.release(key, token, StatePending, func(d *Delivery, now time.Time) {
		d.NextAttempt, d.LastError = now.Add(delay), lastErr
	})
}

// release ends the lease token of the delivery key, leaving it in state,
// and lets set record the rest, with m.mu held. The token stays on the
// delivery, so that the same call repeated succeeds without effect.
func (m *memStore) release(key, token string, state State, set func(d *Delivery, now time.Time)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.all[key]
	if d == nil || token == "" || d.LeaseToken != token {
		return ErrLeaseLost
	}
	if d.State == state {
		return nil // this outcome, already recorded
	}
	if d.State != StateLeased {
		return ErrLeaseLost
	}
	now := time.Now()
	d.State, d.LeaseOwner, d.LeaseExpires, d.UpdatedAt = state, "", time.Time{}, now
	set(d, now)
	return nil
}

func (m *memStore) Requeue(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.all[key]
	if d == nil || d.State != StateFailed {
		return ErrNotFailed
	}
	now := time.Now()
	d.State, d.Attempts, d.LeaseToken = StatePending, 0, ""
	d.NextAttempt, d.UpdatedAt, d.DoneAt = now, now, time.Time{}
	m.active[key] = d
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

func (m *memStore) Stats(context.Context) (Stats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var st Stats
	now := time.Now()
	for _, d := range m.all {
		switch d.State {
		case StatePending:
			st.Pending++
			st.OldestPending = max(st.OldestPending, now.Sub(d.CreatedAt))
		case StateLeased:
			st.Leased++
		case StateDone:
			st.Done++
		case StateFailed:
			st.Failed++
		}
	}
	return st, nil
}

func copyDelivery(d *Delivery) *Delivery {
	c := *d
	c.Body = append([]byte(nil), d.Body...)
	return &c
}

func (m *memStore) Watch(_ context.Context, sessionID string, after time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.watches[sessionID]; !ok {
		now := time.Now()
		m.watches[sessionID] = &memWatch{Watch: Watch{SessionID: sessionID, NextCheck: now.Add(after), CreatedAt: now}}
	}
	return nil
}

func (m *memStore) ClaimWatches(_ context.Context, lease time.Duration, limit int) ([]Watch, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
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

func (m *memStore) RescheduleWatch(_ context.Context, sessionID string, after time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if w := m.watches[sessionID]; w != nil && !w.ended {
		w.Checks++
		w.NextCheck = time.Now().Add(after)
	}
	return nil
}

func (m *memStore) EndWatch(_ context.Context, sessionID string, _ WatchOutcome) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if w := m.watches[sessionID]; w != nil {
		w.ended = true
	}
	return nil
}
