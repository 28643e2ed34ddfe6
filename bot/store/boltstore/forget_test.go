package boltstore

import (
	"fmt"
	"testing"

	"go.etcd.io/bbolt"

	"github.com/layanan-id/layanan/bot/store/storetest"
)

func TestForgetUser(t *testing.T) {
	storetest.RunForget(t, func(t *testing.T) storetest.Forgettable { return openStore(t) }, dumpBuckets)
}

// dumpBuckets lists every key and value of every bucket, nested ones too,
// with ids as the decimal numbers they encode.
func dumpBuckets(t *testing.T, f storetest.Forgettable) []string {
	t.Helper()
	s := f.(*Store)
	var out []string
	var walk func(path string, b *bbolt.Bucket) error
	walk = func(path string, b *bbolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				return walk(path+"/"+string(k), b.Bucket(k))
			}
			out = append(out, fmt.Sprintf("%s %s %s = %s", path, k, decodeIDs(k), v))
			return nil
		})
	}
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bbolt.Bucket) error { return walk(string(name), b) })
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// decodeIDs shows every 8-byte window of a key as a big-endian number, so
// an id stored in binary shows up as its digits.
func decodeIDs(k []byte) string {
	s := ""
	for i := 0; i+8 <= len(k); i++ {
		var n int64
		for _, c := range k[i : i+8] {
			n = n<<8 | int64(c)
		}
		s += fmt.Sprint(n, " ")
	}
	return s
}
