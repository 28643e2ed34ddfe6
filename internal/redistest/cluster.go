package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	envClusterURL = "REDIS_CLUSTER_URL"

	clusterNodes   = 3
	clusterTimeout = 30 * time.Second // from redis-cli --cluster create to cluster_state:ok on every node
	// busOffset is where Redis puts a node's cluster bus: its port plus
	// 10000. Choosing the port so that the bus fits works with every Redis
	// since 3.0; the cluster-port option would need 7.0.
	busOffset = 10000
)

// errNoCLI is the cause when redis-cli, which forms the cluster, is not
// installed: the test is skipped, as for a missing redis-server.
var errNoCLI = errors.New("redis-cli is not installed (not found in PATH); it forms the cluster")

// StartCluster returns the Redis Cluster the test should use: three
// masters, no replicas, every slot assigned. Its URL lists the three
// nodes, redis://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3, the form
// redisstore.Open reads as a cluster; its Prefix is the test's own, as
// with Start.
//
// With REDIS_CLUSTER_URL set, that cluster is used and the test's keys are
// deleted from every master when it ends. Otherwise the nodes are
// throwaway redis-server processes on free loopback ports, joined with
// redis-cli --cluster create; under Main one cluster serves the whole
// package, else each call gets its own, stopped when its test ends. It
// skips the test when redis-server or redis-cli is not installed (fails
// instead when LAYANAN_REQUIRE_REDIS=1), and fails it when the cluster does
// not form.
func StartCluster(t testing.TB) Server {
	t.Helper()
	prefix := uniquePrefix(t)
	if url := os.Getenv(envClusterURL); url != "" {
		t.Cleanup(func() { deleteClusterKeys(t, url, prefix) })
		return Server{URL: url, Prefix: prefix}
	}

	if shared.enabled {
		shared.clusterOnce.Do(func() {
			dir, err := os.MkdirTemp("", "redistest-cluster-")
			if err != nil {
				shared.clusterErr = fmt.Errorf("create a folder for the cluster: %w", err)
				return
			}
			shared.cluster, shared.clusterErr = startCluster(dir, true)
		})
		if shared.clusterErr != nil {
			unavailable(t, shared.clusterErr, envClusterURL)
		}
		return Server{URL: shared.cluster.url, Prefix: prefix}
	}

	c, err := startCluster(t.TempDir(), false)
	if err != nil {
		unavailable(t, err, envClusterURL)
	}
	t.Cleanup(c.stop)
	return Server{URL: c.url, Prefix: prefix}
}

// cluster is a running Redis Cluster of throwaway nodes.
type cluster struct {
	nodes   []*process
	url     string
	dir     string // removed by stop when ownsDir
	ownsDir bool
	once    sync.Once
}

// startCluster starts the nodes in dir, joins them and waits until every
// node sees the cluster whole. On failure nothing is left running.
func startCluster(dir string, ownsDir bool) (*cluster, error) {
	c := &cluster{dir: dir, ownsDir: ownsDir}
	if _, err := exec.LookPath("redis-server"); err != nil {
		c.stop()
		return nil, errNoBinary
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		c.stop()
		return nil, errNoCLI
	}
	addrs := make([]string, 0, clusterNodes)
	for range clusterNodes {
		p, err := startProcess(dir, false, func(port int) []string {
			return []string{
				"--cluster-enabled", "yes",
				"--cluster-config-file", filepath.Join(dir, fmt.Sprintf("nodes-%d.conf", port)),
				"--cluster-node-timeout", "2000",
			}
		})
		if err != nil {
			c.stop()
			return nil, fmt.Errorf("start cluster node: %w", err)
		}
		c.nodes = append(c.nodes, p)
		addrs = append(addrs, strings.TrimPrefix(strings.TrimSuffix(p.url, "/0"), "redis://"))
	}
	c.url = "redis://" + strings.Join(addrs, ",")

	ctx, cancel := context.WithTimeout(context.Background(), clusterTimeout)
	defer cancel()
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	create := exec.CommandContext(ctx, cli, args...)
	create.Dir = dir
	dieWithParent(create)
	if out, err := create.CombinedOutput(); err != nil {
		c.stop()
		return nil, fmt.Errorf("redis-cli --cluster create %s: %w: %s", strings.Join(addrs, " "), err, tail(out))
	}
	if err := waitClusterOK(ctx, addrs); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// waitClusterOK waits until every node reports cluster_state:ok with all
// the nodes known: only then does each of them route every slot.
func waitClusterOK(ctx context.Context, addrs []string) error {
	for _, addr := range addrs {
		client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
		var last string
		for {
			info, err := client.ClusterInfo(ctx).Result()
			if err != nil {
				last = err.Error()
			} else {
				last = info
				if strings.Contains(info, "cluster_state:ok") &&
					strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(len(addrs))) {
					break
				}
			}
			select {
			case <-ctx.Done():
				client.Close()
				return fmt.Errorf("cluster node %s not ready within %s: %s", addr, clusterTimeout, strings.TrimSpace(last))
			case <-time.After(50 * time.Millisecond):
			}
		}
		client.Close()
	}
	return nil
}

// stop ends every node and removes the folder when it made it. It is safe
// to call more than once.
func (c *cluster) stop() {
	c.once.Do(func() {
		var wg sync.WaitGroup
		for _, p := range c.nodes {
			wg.Go(p.stop)
		}
		wg.Wait()
		if c.ownsDir {
			os.RemoveAll(c.dir)
		}
	})
}

// freeNodePort finds a free loopback port whose cluster bus port is free
// too.
func freeNodePort() (int, error) {
	for range 100 {
		port, err := freePort()
		if err != nil {
			return 0, err
		}
		if port+busOffset > 65535 {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+busOffset)))
		if err != nil {
			continue
		}
		l.Close()
		return port, nil
	}
	return 0, errors.New("find a free port: no free port with a free cluster bus port (port+10000) in 100 tries")
}

// tail shortens a command's output for an error message.
func tail(out []byte) string {
	s := strings.TrimSpace(string(out))
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	if s == "" {
		return "(no output)"
	}
	return s
}

// deleteClusterKeys removes the test's keys from every master of a
// REDIS_CLUSTER_URL cluster.
func deleteClusterKeys(t testing.TB, rawURL, prefix string) {
	t.Helper()
	opts, err := parseClusterURL(rawURL)
	if err != nil {
		t.Logf("redistest: keys under %q not deleted: %s: %v", prefix, envClusterURL, err)
		return
	}
	client := redis.NewClusterClient(opts)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = client.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		iter := node.Scan(ctx, 0, prefix+"*", 500).Iterator()
		pipe := node.Pipeline()
		for iter.Next(ctx) {
			// One DEL per key: a DEL of keys in different slots is refused,
			// even on one node.
			pipe.Del(ctx, iter.Val())
			if pipe.Len() == 500 {
				if _, err := pipe.Exec(ctx); err != nil {
					return err
				}
			}
		}
		if err := iter.Err(); err != nil {
			return err
		}
		if pipe.Len() > 0 {
			_, err := pipe.Exec(ctx)
			return err
		}
		return nil
	})
	if err != nil {
		t.Errorf("redistest: delete keys under %q: %v", prefix, err)
	}
}

// parseClusterURL reads redis[s]://[user:password@]host:port,host:port...[?options]:
// go-redis parses the credentials and options of the first host's URL,
// the host list is split here.
func parseClusterURL(rawURL string) (*redis.ClusterOptions, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return nil, errors.New("not a redis:// URL")
	}
	authority, path := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	userinfo, hosts := "", authority
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, hosts = authority[:i+1], authority[i+1:]
	}
	addrs := strings.Split(hosts, ",")
	o, err := redis.ParseURL(scheme + "://" + userinfo + addrs[0] + path)
	if err != nil {
		return nil, errors.New("not a redis:// URL of host:port pairs") // the error would repeat a password
	}
	if o.TLSConfig != nil {
		o.TLSConfig.ServerName = "" // each node checks its own name
	}
	return &redis.ClusterOptions{Addrs: addrs, Username: o.Username, Password: o.Password, TLSConfig: o.TLSConfig}, nil
}
