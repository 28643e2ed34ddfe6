package redistest

import (
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestTmpPerTest(t *testing.T) {
	srv := Start(t)
	t.Logf("url %s prefix %s", srv.URL, srv.Prefix)
	o, _ := redis.ParseURL(srv.URL)
	c := redis.NewClient(o)
	defer c.Close()
	if err := c.Set(t.Context(), srv.Prefix+"k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
}

func TestTmpEnv(t *testing.T) {
	if os.Getenv("TMPCHECK") == "" {
		t.Skip()
	}
	srv := Start(t)
	t.Logf("url %s prefix %s", srv.URL, srv.Prefix)
	o, _ := redis.ParseURL(srv.URL)
	c := redis.NewClient(o)
	defer c.Close()
	c.Set(t.Context(), srv.Prefix+"a", "v", 0)
	c.Set(t.Context(), srv.Prefix+"b", "v", 0)
	c.Set(t.Context(), "other:keep", "v", 0)
}
