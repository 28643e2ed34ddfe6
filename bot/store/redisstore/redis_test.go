package redisstore

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
	"github.com/layanan-id/layanan/bot/store/storetest"
	"github.com/layanan-id/layanan/internal/redistest"
)

// One throwaway redis-server serves all the tests of the package; each
// store gets a key prefix of its own.
func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		srv := redistest.Start(t)
		s, err := Open(t.Context(), srv.URL, Options{Prefix: srv.Prefix})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

// openStore opens a store under a prefix of its own, closed when the test
// ends (unless the test closed it).
func openStore(t *testing.T) *Store {
	t.Helper()
	srv := redistest.Start(t)
	s, err := Open(t.Context(), srv.URL, Options{Prefix: srv.Prefix})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil && !errors.Is(err, bot.ErrStoreClosed) {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestSubscriptionsContract(t *testing.T) {
	storetest.RunSubscriptions(t, func(t *testing.T) bot.SubscriptionStore { return openStore(t) })
}

func TestTempContract(t *testing.T) {
	storetest.RunTemp(t, func(t *testing.T) bot.TempStore { return openStore(t) })
}

func TestHandoffContract(t *testing.T) {
	storetest.RunHandoff(t, func(t *testing.T) bot.HandoffStore { return openStore(t) })
}

func TestStatsContract(t *testing.T) {
	storetest.RunStats(t, func(t *testing.T) storetest.StatsStore { return openStore(t) })
}

func TestQueueContract(t *testing.T) {
	storetest.RunQueue(t, func(t *testing.T) broadcast.Queue { return openStore(t) })
}

func TestNewLeavesClientOpen(t *testing.T) {
	srv := redistest.Start(t)
	opts, err := redis.ParseURL(srv.URL)
	if err != nil {
		t.Fatalf("ParseURL: %v", err)
	}
	client := redis.NewClient(opts)
	t.Cleanup(func() { client.Close() })

	s := New(client, Options{Prefix: srv.Prefix})
	if err := s.SaveSession(t.Context(), 1, bot.Session{Lang: "id"}, time.Minute); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := client.Ping(t.Context()).Err(); err != nil {
		t.Errorf("the caller's client no longer answers after Close: %v", err)
	}
	if n, err := client.Exists(t.Context(), srv.Prefix+"session:1").Result(); err != nil || n != 1 {
		t.Errorf("session key %q: exists = %d, %v; want 1", srv.Prefix+"session:1", n, err)
	}
	if got := New(client, Options{}).keys.prefix; got != DefaultPrefix {
		t.Errorf("prefix with empty Options = %q, want %q", got, DefaultPrefix)
	}
}

// The keys of each multi-key script or transaction must hash to one Redis
// Cluster slot.
func TestScriptKeysShareHashTag(t *testing.T) {
	// hashTag is Redis Cluster's rule: the text between the first "{" and
	// the first "}" after it, when not empty; else the whole key.
	hashTag := func(key string) string {
		if i := strings.IndexByte(key, '{'); i >= 0 {
			if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
				return key[i+1 : i+1+j]
			}
		}
		return key
	}
	groups := []struct {
		name string
		keys func(k keys) []string
	}{
		{"feedback", func(k keys) []string {
			return []string{k.vote(-100123, 55), k.vote(7, 1), k.helpful(), k.notHelpful()}
		}},
		{"subscription", func(k keys) []string {
			return []string{k.subChats(), k.subAll(), k.subNoTopic(), k.subTopic("ktp"), k.subTopic("{x}"), k.subTopic("")}
		}},
		{"broadcast", func(k keys) []string {
			return []string{k.bcJob("20261122-a"), k.bcJob("{x}"), k.bcJobs(), k.bcDeliveries()}
		}},
	}
	for _, prefix := range []string{"layanan:", "", "a}b:", "{tenant1}:", "x{y:"} {
		for _, g := range groups {
			var tags []string
			for _, key := range g.keys(keys{prefix: prefix}) {
				tags = append(tags, hashTag(key))
			}
			for _, tag := range tags[1:] {
				if tag != tags[0] {
					t.Errorf("prefix %q: %s keys have hash tags %q, want one", prefix, g.name, tags)
					break
				}
			}
		}
	}
}

func TestOpenURL(t *testing.T) {
	type want struct {
		addrs      []string
		master     string
		db         int
		user, pass string
		sentinel   string // sentinel password
		tls        bool
		serverName string
		cluster    bool
	}
	valid := []struct {
		url  string
		want want
	}{
		{"redis://localhost", want{addrs: []string{"localhost:6379"}}},
		{"REDIS://cache.internal:6380/2", want{addrs: []string{"cache.internal:6380"}, db: 2}},
		{"redis://bot:p%40ss%2Fword@cache.internal:6380/3?dial_timeout=3s&pool_size=20",
			want{addrs: []string{"cache.internal:6380"}, db: 3, user: "bot", pass: "p@ss/word"}},
		{"rediss://:secret@redis.example.go.id:6380", want{addrs: []string{"redis.example.go.id:6380"}, pass: "secret", tls: true, serverName: "redis.example.go.id"}},
		{"redis://[::1]:6390/1", want{addrs: []string{"[::1]:6390"}, db: 1}},
		{"redis://[::1]", want{addrs: []string{"[::1]:6379"}}},
		{"redis://10.0.0.1:7000,10.0.0.2:7001,10.0.0.3", want{addrs: []string{"10.0.0.1:7000", "10.0.0.2:7001", "10.0.0.3:6379"}, cluster: true}},
		{"rediss://u:p@a.example:7000,b.example:7000/0", want{addrs: []string{"a.example:7000", "b.example:7000"}, user: "u", pass: "p", tls: true, cluster: true}},
		{"redis+sentinel://s1:26380,s2/mymaster", want{addrs: []string{"s1:26380", "s2:26379"}, master: "mymaster"}},
		{"redis+sentinel://:pw@s1/mymaster/4?sentinel_password=sp&read_timeout=2s",
			want{addrs: []string{"s1:26379"}, master: "mymaster", db: 4, pass: "pw", sentinel: "sp"}},
		{"rediss+sentinel://s1,s2/main", want{addrs: []string{"s1:26379", "s2:26379"}, master: "main", tls: true}},
	}
	for _, tt := range valid {
		t.Run(tt.url, func(t *testing.T) {
			o, err := parseURL(tt.url)
			if err != nil {
				t.Fatalf("parseURL: %v", err)
			}
			got := want{
				addrs: o.Addrs, master: o.MasterName, db: o.DB, user: o.Username, pass: o.Password,
				sentinel: o.SentinelPassword, tls: o.TLSConfig != nil,
			}
			if o.TLSConfig != nil {
				got.serverName = o.TLSConfig.ServerName
			}
			client := redis.NewUniversalClient(o)
			_, got.cluster = client.(*redis.ClusterClient)
			client.Close()
			if strings.Join(got.addrs, " ") != strings.Join(tt.want.addrs, " ") ||
				got.master != tt.want.master || got.db != tt.want.db || got.user != tt.want.user ||
				got.pass != tt.want.pass || got.sentinel != tt.want.sentinel || got.tls != tt.want.tls ||
				got.serverName != tt.want.serverName || got.cluster != tt.want.cluster {
				t.Errorf("parsed %+v,\nwant   %+v", got, tt.want)
			}
		})
	}

	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	invalid := []struct{ url, wantErr string }{
		{"", "no scheme"},
		{"localhost:6379", "no scheme"},
		{"127.0.0.1:6379", "no scheme"},
		{"://localhost", "no scheme"},
		{"http://localhost:6379", `unknown URL scheme "http"`},
		{"unix:///run/redis.sock", `unknown URL scheme "unix"`},
		{"redis://localhost:abc", `bad port "abc"`},
		{"redis://localhost:99999", `bad port "99999"`},
		{"redis://localhost:0", `bad port "0"`},
		{"redis://localhost:", `bad port ""`},
		{"redis://", "empty host"},
		{"redis://user:pw@/0", "empty host"},
		{"redis://a:7000,,b:7001", "empty host"},
		{"redis://:6379", "has no name"},
		{"redis://::1:6379", "must be in brackets"},
		{"redis://[::1:6379", "no closing bracket"},
		{"redis://local host", "character hosts cannot contain"},
		{"redis://localhost/abc", "invalid database number"},
		{"redis://localhost/1/2", "invalid URL path"},
		{"redis://localhost?colour=blue", "unexpected option"},
		{"redis://localhost?dial_timeout=soon", "invalid dial_timeout"},
		{"redis://a:7000,b:7001/3", "only database 0"},
		{"redis+sentinel://s1:26379", "no master name"},
		{"redis+sentinel://s1:26379/", "no master name"},
		{"redis+sentinel://s1/m/1/2", "too many parts"},
		{"redis+sentinel://s1/m/x", "invalid database number"},
	}
	for _, tt := range invalid {
		t.Run(tt.url, func(t *testing.T) {
			// Checked without Open first: a URL that parsed by mistake must
			// not reach a server (localhost:6379 may be somebody's).
			if _, err := parseURL(tt.url); err == nil {
				t.Fatalf("parseURL(%q): no error, want one containing %q", tt.url, tt.wantErr)
			}
			_, err := Open(canceled, tt.url, Options{})
			if !strings.HasPrefix(err.Error(), "redisstore: open: ") || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Open(%q) error = %q, want \"redisstore: open: …%s…\"", tt.url, err, tt.wantErr)
			}
		})
	}

	t.Run("password not in errors", func(t *testing.T) {
		for _, u := range []string{
			"redis://bot:hunter2@localhost:bad",
			"redis://bot:hunter2@localhost/abc",
			"redis://bot:hunter2@local host",
			"redis://bot:hunter2@localhost?x=1",
			"redis://bot:hunter2@%zz",
		} {
			if _, err := parseURL(u); err == nil {
				t.Errorf("parseURL(%q): no error", u)
				continue
			}
			if _, err := Open(canceled, u, Options{}); err == nil {
				t.Errorf("Open(%q): no error", u)
			} else if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("Open(%q) error repeats the password: %v", u, err)
			}
		}
	})
}

func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	// Port 1 on the loopback interface refuses connections.
	_, err := Open(ctx, "redis://127.0.0.1:1?dial_timeout=1s&max_retries=-1", Options{})
	if err == nil || !strings.Contains(err.Error(), "redisstore: open: ping 127.0.0.1:1") {
		t.Errorf("Open of a closed port: error %v, want a failed ping", err)
	}
	if errors.Is(err, bot.ErrStoreClosed) {
		t.Errorf("Open of a closed port: %v wraps ErrStoreClosed", err)
	}
}

func TestExpiryMemo(t *testing.T) {
	var m expiryMemo
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	steps := []struct {
		key  string
		at   time.Duration
		want bool
	}{
		{"a", 0, true}, {"a", time.Minute, false}, {"b", time.Minute, true},
		{"a", expiryRenew - time.Second, false}, {"a", expiryRenew, true}, {"a", expiryRenew + time.Second, false},
	}
	for i, st := range steps {
		if got := m.due(st.key, now.Add(st.at)); got != st.want {
			t.Errorf("step %d: due(%s, +%v) = %v, want %v", i, st.key, st.at, got, st.want)
		}
	}
}
