package redistest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/internal/redistest"
)

func TestRestartable(t *testing.T) {
	for _, tt := range []struct {
		name       string
		persistent bool
	}{
		{"persistent", true},
		{"volatile", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := redistest.StartRestartable(t, redistest.RestartOptions{Persistent: tt.persistent})
			opts, err := redis.ParseURL(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			client := redis.NewClient(opts)
			defer client.Close()
			ctx := context.Background()
			key := srv.Prefix + "k"
			if err := client.Set(ctx, key, "v", 0).Err(); err != nil {
				t.Fatal(err)
			}

			srv.Kill()
			srv.Kill() // a second kill does nothing
			short, cancel := context.WithTimeout(ctx, 2*time.Second)
			err = client.Ping(short).Err()
			cancel()
			if err == nil {
				t.Fatal("PING answered while the server was killed")
			}

			srv.Restart()
			// The same client, the same URL: go-redis reconnects on its own
			// (after at most a second once its dial errors piled up).
			var got string
			deadline := time.Now().Add(5 * time.Second)
			for {
				got, err = client.Get(ctx, key).Result()
				if err == nil || errors.Is(err, redis.Nil) || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			switch {
			case tt.persistent && got != "v":
				t.Errorf("after a restart with persistence: %q, %v; want the value written before the kill", got, err)
			case !tt.persistent && !errors.Is(err, redis.Nil):
				t.Errorf("after a restart without persistence: %q, %v; want an empty server", got, err)
			}
		})
	}
}
