package bot

import (
	"context"
	"time"
)

// TempStore keeps short-lived values under names, each expiring after its
// ttl: the staff console's sessions and the login links used once. Both
// stores implement it; names and values are the caller's.
type TempStore interface {
	// PutTemp sets the value, replacing any.
	PutTemp(ctx context.Context, name string, value []byte, ttl time.Duration) error
	// AddTemp sets the value only when the name has none (or it expired);
	// added is false otherwise. Concurrent callers: exactly one adds.
	AddTemp(ctx context.Context, name string, value []byte, ttl time.Duration) (added bool, err error)
	// Temp returns the value, unless it is missing or expired.
	Temp(ctx context.Context, name string) (value []byte, found bool, err error)
	// DeleteTemp removes the value; a missing one is no error.
	DeleteTemp(ctx context.Context, name string) error
}
