package storetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/layanan-id/layanan/bot"
)

// tempTest is one subtest of RunTemp.
type tempTest = contractTest[bot.TempStore]

// RunTemp runs the contract of bot.TempStore against the stores open
// returns: a fresh, empty store per parallel subtest, which open closes
// itself when the test ends. Beyond the comments of bot.TempStore: a
// non-positive ttl or an empty name is an error for PutTemp and AddTemp,
// and nothing for Temp and DeleteTemp. When the store has a Close method, a
// last subtest closes it and expects every method to fail with
// bot.ErrStoreClosed.
func RunTemp(t *testing.T, open func(t *testing.T) bot.TempStore) {
	runAll(t, append(tempTests, tempTest{"closed", tempClosed}), open, nil)
}

func wantTemp(t *testing.T, s bot.TempStore, name, want string, wantFound bool) {
	t.Helper()
	got, found, err := s.Temp(context.Background(), name)
	if err != nil || found != wantFound || string(got) != want {
		t.Errorf("Temp(%q) = %q, %v, %v; want %q, %v", name, got, found, err, want, wantFound)
	}
}

var tempTests = []tempTest{
	{"put, read, replace, delete", func(t *testing.T, s bot.TempStore) {
		ctx := context.Background()
		wantTemp(t, s, "konsol:a", "", false)
		must(t, s.PutTemp(ctx, "konsol:a", []byte(`{"user":42}`), longTTL))
		wantTemp(t, s, "konsol:a", `{"user":42}`, true)
		must(t, s.PutTemp(ctx, "konsol:a", []byte("b"), longTTL))
		wantTemp(t, s, "konsol:a", "b", true)
		must(t, s.PutTemp(ctx, "konsol:empty", nil, longTTL))
		wantTemp(t, s, "konsol:empty", "", true)
		must(t, s.DeleteTemp(ctx, "konsol:a"))
		wantTemp(t, s, "konsol:a", "", false)
		must(t, s.DeleteTemp(ctx, "konsol:missing"))
	}},
	{"bad arguments", func(t *testing.T, s bot.TempStore) {
		ctx := context.Background()
		if err := s.PutTemp(ctx, "x", nil, 0); err == nil {
			t.Error("PutTemp with ttl 0: no error")
		}
		if _, err := s.AddTemp(ctx, "x", nil, -time.Second); err == nil {
			t.Error("AddTemp with a negative ttl: no error")
		}
		if err := s.PutTemp(ctx, "", nil, longTTL); err == nil {
			t.Error("PutTemp with an empty name: no error")
		}
		wantTemp(t, s, "", "", false)
		must(t, s.DeleteTemp(ctx, ""))
	}},
	{"add once among many", func(t *testing.T, s bot.TempStore) {
		var (
			wg    sync.WaitGroup
			added atomic.Int32
		)
		for range concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.AddTemp(context.Background(), "login:n1", []byte("1"), longTTL)
				if err != nil {
					t.Errorf("AddTemp: %v", err)
				}
				if ok {
					added.Add(1)
				}
			}()
		}
		wg.Wait()
		if added.Load() != 1 {
			t.Errorf("%d callers added, want 1", added.Load())
		}
	}},
	{"expiry", func(t *testing.T, s bot.TempStore) {
		ctx := context.Background()
		start := time.Now()
		must(t, s.PutTemp(ctx, "short", []byte("v"), shortTTL))
		if ok, err := s.AddTemp(ctx, "short-add", []byte("v"), shortTTL); err != nil || !ok {
			t.Fatalf("AddTemp: %v, %v", ok, err)
		}
		if time.Since(start) < shortTTL/2 {
			wantTemp(t, s, "short", "v", true)
		}
		deadline := start.Add(shortTTL + expiryGrace)
		for {
			_, found, err := s.Temp(ctx, "short")
			if err != nil {
				t.Fatal(err)
			}
			if !found {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("a temporary value outlived its ttl")
			}
			time.Sleep(pollInterval)
		}
		for {
			ok, err := s.AddTemp(ctx, "short-add", []byte("w"), longTTL)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("AddTemp still refused after the first value's ttl")
			}
			time.Sleep(pollInterval)
		}
		wantTemp(t, s, "short-add", "w", true)
	}},
}

func tempClosed(t *testing.T, s bot.TempStore) {
	closer, ok := s.(interface{ Close() error })
	if !ok {
		t.Skip("the store has no Close method")
	}
	ctx := context.Background()
	must(t, closer.Close())
	calls := map[string]error{}
	calls["PutTemp"] = s.PutTemp(ctx, "a", nil, longTTL)
	_, calls["AddTemp"] = s.AddTemp(ctx, "a", nil, longTTL)
	_, _, calls["Temp"] = s.Temp(ctx, "a")
	calls["DeleteTemp"] = s.DeleteTemp(ctx, "a")
	for name, err := range calls {
		if !errors.Is(err, bot.ErrStoreClosed) {
			t.Errorf("%s after Close: %v, want ErrStoreClosed", name, err)
		}
	}
}
