package redisstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/layanan-id/layanan/bot/store/storetest"
)

func TestForgetUser(t *testing.T) {
	storetest.RunForget(t, func(t *testing.T) storetest.Forgettable { return openStore(t) }, dumpKeys)
}

// dumpKeys lists every key of the store's prefix with its readable
// values. HyperLogLogs are left out: they hold hashed registers, no ids.
func dumpKeys(t *testing.T, f storetest.Forgettable) []string {
	t.Helper()
	s := f.(*Store)
	ctx := context.Background()
	var out []string
	iter := s.client.Scan(ctx, 0, s.keys.prefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		typ, err := s.client.Type(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		var val any
		switch typ {
		case "string":
			v, _ := s.client.Get(ctx, key).Result()
			if len(v) > 3 && v[:4] == "HYLL" {
				v = "(hyperloglog)"
			}
			val = v
		case "hash":
			val, _ = s.client.HGetAll(ctx, key).Result()
		case "set":
			val, _ = s.client.SMembers(ctx, key).Result()
		case "zset":
			val, _ = s.client.ZRange(ctx, key, 0, -1).Result()
		case "stream":
			val, _ = s.client.XRange(ctx, key, "-", "+").Result()
		}
		out = append(out, fmt.Sprintf("%s = %v", key, val))
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
