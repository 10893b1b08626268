package main

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/veriffgo/veriff"
)

// Delivery is one webhook as recorded: the verified body and what is needed
// to find it again.
type Delivery struct {
	// Key is the webhook's delivery key (veriff.Webhook.DeliveryKey): the
	// same for Veriff's retries and for replays of one delivery.
	Key        string
	Kind       veriff.WebhookKind
	SessionID  string
	Body       json.RawMessage
	ReceivedAt time.Time
}

// Store records deliveries once each. Swap MemoryStore for a database table
// with a unique index on Key: an INSERT ... ON CONFLICT DO NOTHING, in the
// same transaction as the work it queues.
type Store interface {
	// Save records d unless a delivery with the same Key is already
	// recorded. It reports whether d was new; (false, nil) is a duplicate.
	// An error means nothing was recorded: the receiver answers 500 and
	// Veriff sends the webhook again later.
	Save(ctx context.Context, d Delivery) (bool, error)
}

// MemoryStore is a Store in memory, safe for concurrent use. Its records
// are lost when the process ends: use it for tests and demos.
type MemoryStore struct {
	mu         sync.Mutex
	deliveries map[string]Delivery
	order      []string
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{deliveries: map[string]Delivery{}}
}

// Save implements Store.
func (s *MemoryStore) Save(_ context.Context, d Delivery) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.deliveries[d.Key]; dup {
		return false, nil
	}
	s.deliveries[d.Key] = d
	s.order = append(s.order, d.Key)
	return true, nil
}

// Deliveries returns the recorded deliveries, oldest first.
func (s *MemoryStore) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, len(s.order))
	for i, k := range s.order {
		out[i] = s.deliveries[k]
	}
	return out
}

// Len returns how many deliveries are recorded.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.order)
}
