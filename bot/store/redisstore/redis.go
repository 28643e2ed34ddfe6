// Package redisstore keeps the conversation's state (bot.Store) in Redis,
// so that several replicas of the bot share sessions, duplicate-update
// marks, flood counts, votes and the log of unanswered questions. The same
// Store keeps subscriptions (bot.SubscriptionStore), daily question counts
// (bot.StatsStore) and the announcements' queue (broadcast.Queue).
//
// Open takes a URL in one of these forms:
//
//	redis://[user:password@]host[:port][/db][?option=value&...]
//	    one server; the port defaults to 6379 and db to 0
//	rediss://...
//	    the same over TLS
//	redis://[user:password@]host1:port1,host2:port2[,...][?...]
//	    a Redis Cluster, found through the listed seed nodes (db must be 0)
//	redis+sentinel://[user:password@]host1:port1[,host2:port2...]/mastername[/db][?...]
//	    the master of a Sentinel group; the sentinels' port defaults to 26379
//	rediss+sentinel://...
//	    the same over TLS
//
// user and password authenticate to the Redis servers; sentinels that need
// credentials of their own take them as the sentinel_username and
// sentinel_password options. The other options are go-redis's connection
// options in snake case (dial_timeout=3s, read_timeout, pool_size,
// max_retries, client_name, skip_verify, ...; see redis.ParseURL). Special
// characters in the password must be percent-encoded.
//
// Keys, all under the prefix of Options (default "layanan:"):
//
//	session:<user>                   a session as JSON, expiring with SET PX
//	update:<update id>               "claimed" while an update is handled (SET NX
//	                                 PX, the claim's TTL), then "done" (PX, a day)
//	flood:<hash>:<window>:<index>    the set of update ids of a user's messages in
//	                                 one fixed window; hash is a keyed hash of the
//	                                 user id (see below)
//	user-key-secret                  the random key of those hashes, made by the
//	                                 first process that needs it
//	{fb}:vote:<chat>:<message>       the vote that stands on an answer message
//	{fb}:helpful, {fb}:not_helpful   hashes of entry id → number of votes
//	unanswered                       a stream of unanswered questions, comments on
//	                                 answers marked 👎 and example questions staff
//	                                 suggested (fields text, lang, at, user, entry, example)
//	{sub}:chats                      a hash of chat id → subscription as JSON
//	{sub}:all                        a set of every subscribed chat id
//	{sub}:no_topic                   a set of the chats that follow no topic
//	{sub}:topic:<topic>              a set of the chats that follow the topic
//	stats:<yyyy-mm-dd>:outcomes      a hash of outcome → questions that UTC day
//	stats:<yyyy-mm-dd>:entries       a hash of entry id → questions answered with it
//	stats:<yyyy-mm-dd>:users         a HyperLogLog of the day's users
//	stats:users                      a HyperLogLog of every user who ever asked
//	{bc}:job:<id>                    a broadcast job: its fields, state and counts
//	{bc}:jobs                        a sorted set of job ids by creation time
//	{bc}:deliveries                  a stream of deliveries (job id, chat id),
//	                                 read by the consumer group "workers"
//	temp:<name>                      a short-lived value (console sessions, login
//	                                 links used once), expiring with PX
//	{ho}:seq, {ho}:tickets, {ho}:open, {ho}:closed, {ho}:links, {ho}:stats
//	                                 handoff tickets to staff (see handoff.go)
//
// A vote and its count are written together by a Lua script; their keys
// share the hash tag {fb} so that the script runs on Redis Cluster too.
// Likewise a subscription and its sets share {sub}, and a job, the job
// list and the deliveries share {bc}. A prefix with a hash tag of its own,
// like "{layanan}:", puts every key in one slot, which works as well; an
// empty "{}" in the prefix does not. Every other operation touches a
// single key, or several in a plain pipeline. Streams need Redis 6.2 or
// later.
//
// A subscription is written by a script that checks it is still the one
// read before, so that the chat leaves exactly the sets of its old topics.
// The statistics' day keys expire bot.StatsRetention after their day ends.
//
// A delivery is claimed with XREADGROUP (new entries) or, when none is
// new, XAUTOCLAIM (entries pending longer than minIdle). Completing it is
// one script: XACK, XDEL and, only when the XACK found it pending, the
// job's counter; the call that brings the completed count to the total
// reports finished, so completing twice counts once.
//
// Admit and Complete, which the conversation calls once before and once
// after each update, are one plain pipeline each. Keys that must exist
// for a while about a user who may have asked to be forgotten (flood
// counters) name the user by an HMAC-SHA256 of the id under a random
// secret kept in Redis, so no key outside those ForgetUser deletes holds
// a Telegram id.
//
// The stream's entry ids are the Redis server's clock, the questions' times
// the bot's: ListUnanswered reads from a minute before since and filters by
// the question's time, so clocks that differ by less than that do no harm.
package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/bot"
)

// DefaultPrefix is the key prefix when Options leaves it empty.
const DefaultPrefix = "layanan:"

const (
	// floodMargin keeps a flood counter a little after its window ends,
	// for replicas whose clocks run slightly behind.
	floodMargin = time.Second
	// clockSkew is how far a stream entry's id (the Redis server's clock
	// when it was added) may lie before the question's time (the bot's
	// clock): ListUnanswered reads that much earlier and filters by time.
	clockSkew = time.Minute
	// listPage bounds each XRANGE reply.
	listPage = 1000
)

// Options configures a Store.
type Options struct {
	// Prefix comes before every key, so that several bots (or tests) can
	// share a Redis. Empty means DefaultPrefix.
	Prefix string
}

// Store is a bot.Store in Redis. It is safe for concurrent use.
type Store struct {
	client     redis.UniversalClient
	ownsClient bool // Close closes the client only when Open made it
	closed     atomic.Bool
	keys       keys
	groupReady atomic.Bool // the deliveries stream's consumer group exists
	instance   string      // identifies this process's reload messages

	secretMu sync.Mutex
	secret   []byte // the key of userHash, once read

	expiries expiryMemo // stats keys whose expiry this process set lately
}

var _ bot.Store = (*Store)(nil)

// New returns a store that uses client, which stays the caller's: Close
// leaves it open.
func New(client redis.UniversalClient, opts Options) *Store {
	prefix := opts.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &Store{client: client, keys: keys{prefix: prefix}, instance: newInstanceID()}
}

// Open connects to the Redis that rawURL names (see the package comment for
// the forms) and checks that it answers PING. It returns an error naming
// what is wrong with a URL it cannot use, without repeating the password,
// or the error of the PING.
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	uopts, err := parseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redisstore: open: %w", err)
	}
	client := redis.NewUniversalClient(uopts)
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("redisstore: open: ping %s: %w", strings.Join(uopts.Addrs, ","), err)
	}
	s := New(client, opts)
	s.ownsClient = true
	return s, nil
}

// LoadSession returns the user's session; found is false when there is
// none or it expired.
func (s *Store) LoadSession(ctx context.Context, userID int64) (bot.Session, bool, error) {
	const op = "load session"
	if s.closed.Load() {
		return bot.Session{}, false, fail(op, bot.ErrStoreClosed)
	}
	data, err := s.client.Get(ctx, s.keys.session(userID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return bot.Session{}, false, nil
	}
	if err != nil {
		return bot.Session{}, false, fail(op, err)
	}
	var sess bot.Session
	if err := json.Unmarshal(data, &sess); err != nil {
		return bot.Session{}, false, fail(op, fmt.Errorf("decode user %d: %w", userID, err))
	}
	return sess, true, nil
}

// SaveSession stores the user's session for ttl, which must be positive.
func (s *Store) SaveSession(ctx context.Context, userID int64, sess bot.Session, ttl time.Duration) error {
	const op = "save session"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if ttl <= 0 {
		return fail(op, fmt.Errorf("ttl %v is not positive", ttl))
	}
	data, err := json.Marshal(sess)
	if err != nil {
		return fail(op, err)
	}
	if err := s.client.Set(ctx, s.keys.session(userID), data, ttl).Err(); err != nil {
		return fail(op, err)
	}
	return nil
}

// recordVote sets the message's vote unless it has one, and counts it.
//
// KEYS[1]: the message's vote; KEYS[2]: the counts hash of the opinion;
// KEYS[3]: the voter's set of vote keys (for ForgetUser).
// ARGV[1]: the vote; ARGV[2]: the entry id.
var recordVote = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
	redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
	redis.call('SADD', KEYS[3], KEYS[1])
	return 1
end
return 0
`)

// RecordFeedback stores a vote unless the answer message already has one.
// Votes are kept without expiry.
func (s *Store) RecordFeedback(ctx context.Context, f bot.Feedback) (bool, error) {
	const op = "record feedback"
	if s.closed.Load() {
		return false, fail(op, bot.ErrStoreClosed)
	}
	data, err := f.Record()
	if err != nil {
		return false, fail(op, err)
	}
	counts := s.keys.notHelpful()
	if f.Helpful {
		counts = s.keys.helpful()
	}
	n, err := recordVote.Run(ctx, s.client, []string{s.keys.vote(f.ChatID, f.MessageID), counts, s.keys.userVotes(f.UserID)}, data, f.EntryID).Int()
	if err != nil {
		return false, fail(op, err)
	}
	return n == 1, nil
}

// FeedbackCounts returns the votes per entry id; entries without votes are
// absent.
func (s *Store) FeedbackCounts(ctx context.Context) (map[string]bot.Votes, error) {
	const op = "feedback counts"
	if s.closed.Load() {
		return nil, fail(op, bot.ErrStoreClosed)
	}
	pipe := s.client.Pipeline()
	helpful := pipe.HGetAll(ctx, s.keys.helpful())
	notHelpful := pipe.HGetAll(ctx, s.keys.notHelpful())
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fail(op, err)
	}
	counts := make(map[string]bot.Votes)
	for _, h := range []struct {
		cmd *redis.MapStringStringCmd
		add func(v *bot.Votes, n int)
	}{
		{helpful, func(v *bot.Votes, n int) { v.Helpful += n }},
		{notHelpful, func(v *bot.Votes, n int) { v.NotHelpful += n }},
	} {
		for entry, field := range h.cmd.Val() {
			n, err := strconv.Atoi(field)
			if err != nil {
				return nil, fail(op, fmt.Errorf("count of %q: %w", entry, err))
			}
			v := counts[entry]
			h.add(&v, n)
			counts[entry] = v
		}
	}
	return counts, nil
}

// LogUnanswered appends the question to a stream trimmed to the newest
// maxEntries and to retention, both of which must be positive. A zero
// q.At means now; a question already older than retention is not kept.
func (s *Store) LogUnanswered(ctx context.Context, q bot.Unanswered, retention time.Duration, maxEntries int) error {
	const op = "log unanswered"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if retention <= 0 || maxEntries <= 0 {
		return fail(op, fmt.Errorf("retention %v and maxEntries %d must be positive", retention, maxEntries))
	}
	pipe := s.client.TxPipeline()
	if !s.queueLogUnanswered(ctx, pipe, q, retention, maxEntries) {
		return nil
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fail(op, err)
	}
	return nil
}

// queueLogUnanswered adds the commands that log q to pipe; false when q
// is already older than retention and is not kept.
func (s *Store) queueLogUnanswered(ctx context.Context, pipe redis.Pipeliner, q bot.Unanswered, retention time.Duration, maxEntries int) bool {
	now := time.Now()
	if q.At.IsZero() {
		q.At = now
	}
	cutoff := now.Add(-retention)
	if q.At.Before(cutoff) {
		return false
	}
	key := s.keys.unanswered()
	pipe.XAdd(ctx, &redis.XAddArgs{
		Stream: key,
		MaxLen: int64(maxEntries), // exact: the log keeps at most maxEntries
		Values: []any{"text", q.Text, "lang", q.Lang, "at", q.At.UTC().Format(time.RFC3339Nano), "user", strconv.FormatInt(q.UserID, 10), "entry", q.EntryID, "example", strconv.FormatBool(q.Example)},
	})
	pipe.XTrimMinID(ctx, key, strconv.FormatInt(cutoff.UnixMilli(), 10))
	// Without new questions, the whole log expires with its newest one.
	pipe.PExpire(ctx, key, retention)
	return true
}

// ListUnanswered returns the logged questions at or after since, oldest
// first.
func (s *Store) ListUnanswered(ctx context.Context, since time.Time) ([]bot.Unanswered, error) {
	const op = "list unanswered"
	if s.closed.Load() {
		return nil, fail(op, bot.ErrStoreClosed)
	}
	start := "-"
	if ms := since.Add(-clockSkew).UnixMilli(); !since.IsZero() && ms > 0 {
		start = strconv.FormatInt(ms, 10)
	}
	var qs []bot.Unanswered
	for {
		msgs, err := s.client.XRangeN(ctx, s.keys.unanswered(), start, "+", listPage).Result()
		if err != nil {
			return nil, fail(op, err)
		}
		for _, m := range msgs {
			q, err := decodeUnanswered(m)
			if err != nil {
				return nil, fail(op, err)
			}
			if !q.At.Before(since) {
				qs = append(qs, q)
			}
		}
		if len(msgs) < listPage {
			break
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
	// Stream order is arrival order; a question's own time may differ a
	// little when replicas' clocks do.
	slices.SortStableFunc(qs, func(a, b bot.Unanswered) int { return a.At.Compare(b.At) })
	return qs, nil
}

func decodeUnanswered(m redis.XMessage) (bot.Unanswered, error) {
	field := func(name string) string { s, _ := m.Values[name].(string); return s }
	at, err := time.Parse(time.RFC3339Nano, field("at"))
	if err != nil {
		return bot.Unanswered{}, fmt.Errorf("entry %s: %w", m.ID, err)
	}
	user, _ := strconv.ParseInt(field("user"), 10, 64)
	return bot.Unanswered{Text: field("text"), Lang: field("lang"), At: at, UserID: user, EntryID: field("entry"), Example: field("example") == "true"}, nil
}

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	const op = "ping"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fail(op, err)
	}
	return nil
}

// Close releases the store, and the client when Open made it. Closing
// again returns an error wrapping bot.ErrStoreClosed.
func (s *Store) Close() error {
	const op = "close"
	if s.closed.Swap(true) {
		return fail(op, bot.ErrStoreClosed)
	}
	if s.ownsClient {
		if err := s.client.Close(); err != nil {
			return fail(op, err)
		}
	}
	return nil
}

// fail wraps err with the operation; a client closed under a running call
// counts as a closed store.
func fail(op string, err error) error {
	if errors.Is(err, redis.ErrClosed) && !errors.Is(err, bot.ErrStoreClosed) {
		return fmt.Errorf("redisstore: %s: %w: %w", op, bot.ErrStoreClosed, err)
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// keys names the store's keys; see the package comment.
type keys struct{ prefix string }

func (k keys) session(userID int64) string {
	return k.prefix + "session:" + strconv.FormatInt(userID, 10)
}
func (k keys) update(updateID int) string { return k.prefix + "update:" + strconv.Itoa(updateID) }
func (k keys) flood(userHash string, window time.Duration, index int64) string {
	return k.prefix + "flood:" + userHash + ":" + window.String() + ":" + strconv.FormatInt(index, 10)
}
func (k keys) userKeySecret() string { return k.prefix + "user-key-secret" }
func (k keys) vote(chatID int64, messageID int) string {
	return k.prefix + "{fb}:vote:" + strconv.FormatInt(chatID, 10) + ":" + strconv.Itoa(messageID)
}
func (k keys) userVotes(userID int64) string {
	return k.prefix + "{fb}:user:" + strconv.FormatInt(userID, 10)
}
func (k keys) helpful() string    { return k.prefix + "{fb}:helpful" }
func (k keys) notHelpful() string { return k.prefix + "{fb}:not_helpful" }
func (k keys) unanswered() string { return k.prefix + "unanswered" }

func (k keys) subChats() string   { return k.prefix + "{sub}:chats" }
func (k keys) subAll() string     { return k.prefix + "{sub}:all" }
func (k keys) subNoTopic() string { return k.prefix + "{sub}:no_topic" }
func (k keys) subTopic(topic string) string {
	return k.prefix + "{sub}:topic:" + topic
}

func (k keys) statsOutcomes(day string) string { return k.prefix + "stats:" + day + ":outcomes" }
func (k keys) statsEntries(day string) string  { return k.prefix + "stats:" + day + ":entries" }
func (k keys) statsUsers(day string) string    { return k.prefix + "stats:" + day + ":users" }
func (k keys) statsAllUsers() string           { return k.prefix + "stats:users" }

func (k keys) bcJob(id string) string { return k.prefix + "{bc}:job:" + id }
func (k keys) bcJobs() string         { return k.prefix + "{bc}:jobs" }
func (k keys) bcDeliveries() string   { return k.prefix + "{bc}:deliveries" }

// parseURL turns a URL of one of the package comment's forms into client
// options. Its errors never contain the URL, which may hold a password.
func parseURL(rawURL string) (*redis.UniversalOptions, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok || scheme == "" {
		return nil, errors.New("URL has no scheme: want redis://, rediss://, redis+sentinel:// or rediss+sentinel://")
	}
	var sentinel bool
	base := strings.ToLower(scheme)
	switch base {
	case "redis", "rediss":
	case "redis+sentinel", "rediss+sentinel":
		sentinel = true
		base = strings.TrimSuffix(base, "+sentinel")
	default:
		return nil, fmt.Errorf("unknown URL scheme %q: want redis, rediss, redis+sentinel or rediss+sentinel", scheme)
	}

	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i] // a fragment means nothing here
	}
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	userinfo, hostList := "", authority
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, hostList = authority[:i+1], authority[i+1:]
	}
	defaultPort := "6379"
	if sentinel {
		defaultPort = "26379"
	}
	var addrs []string
	for h := range strings.SplitSeq(hostList, ",") {
		addr, err := hostPort(h, defaultPort)
		if err != nil {
			return nil, err
		}
		addrs = append(addrs, addr)
	}

	path, query, _ := strings.Cut(tail, "?")
	var master, sentinelUser, sentinelPassword string
	if sentinel {
		segments := strings.Split(strings.Trim(path, "/"), "/")
		name, err := url.PathUnescape(segments[0])
		if err != nil || name == "" {
			return nil, errors.New("sentinel URL has no master name: want redis+sentinel://host:port[,host:port...]/mastername[/db]")
		}
		if len(segments) > 2 {
			return nil, fmt.Errorf("sentinel URL path %q has too many parts: want /mastername[/db]", path)
		}
		master, path = name, ""
		if len(segments) == 2 {
			path = "/" + segments[1]
		}
		if query != "" {
			values, err := url.ParseQuery(query)
			if err != nil {
				return nil, fmt.Errorf("bad URL options: %w", err)
			}
			sentinelUser, sentinelPassword = values.Get("sentinel_username"), values.Get("sentinel_password")
			values.Del("sentinel_username")
			values.Del("sentinel_password")
			query = values.Encode()
		}
	}
	if query != "" {
		query = "?" + query
	}

	// go-redis parses the credentials, database and options of a
	// single-server URL; the server list is ours.
	single := base + "://" + userinfo + addrs[0] + path + query
	o, err := redis.ParseURL(single)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return nil, err
	}
	if o.Protocol == 0 {
		// RESP2 unless the URL asks for protocol=3: the store uses no
		// push messages, and with RESP3 go-redis looks for pending ones
		// before every command, a sixth of the store's cost under load.
		o.Protocol = 2
	}
	if len(addrs) > 1 && !sentinel && o.DB != 0 {
		return nil, fmt.Errorf("a cluster (several hosts) has only database 0, not %d", o.DB)
	}
	if o.TLSConfig != nil && (len(addrs) > 1 || sentinel) {
		// ParseURL names the first host; each connection must check its own.
		o.TLSConfig.ServerName = ""
	}
	return &redis.UniversalOptions{
		Addrs:            addrs,
		MasterName:       master,
		SentinelUsername: sentinelUser,
		SentinelPassword: sentinelPassword,
		DB:               o.DB,
		Username:         o.Username,
		Password:         o.Password,
		TLSConfig:        o.TLSConfig,
		ClientName:       o.ClientName,
		Protocol:         o.Protocol,

		// One dial attempt: while Redis is down, the bot must fail fast and
		// answer without session features, not wait seconds per message.
		DialerRetries: 1,

		MaxRetries:            o.MaxRetries,
		MinRetryBackoff:       o.MinRetryBackoff,
		MaxRetryBackoff:       o.MaxRetryBackoff,
		DialTimeout:           o.DialTimeout,
		ReadTimeout:           o.ReadTimeout,
		WriteTimeout:          o.WriteTimeout,
		ContextTimeoutEnabled: o.ContextTimeoutEnabled,
		PoolFIFO:              o.PoolFIFO,
		PoolSize:              o.PoolSize,
		PoolTimeout:           o.PoolTimeout,
		MinIdleConns:          o.MinIdleConns,
		MaxIdleConns:          o.MaxIdleConns,
		MaxActiveConns:        o.MaxActiveConns,
		MaxConcurrentDials:    o.MaxConcurrentDials,
		ConnMaxIdleTime:       o.ConnMaxIdleTime,
		ConnMaxLifetime:       o.ConnMaxLifetime,
		ConnMaxLifetimeJitter: o.ConnMaxLifetimeJitter,

		PipelinePoolSize:        o.PipelinePoolSize,
		PipelineReadBufferSize:  o.PipelineReadBufferSize,
		PipelineWriteBufferSize: o.PipelineWriteBufferSize,
	}, nil
}

// hostPort checks one host[:port] of a URL's host list and adds the
// default port.
func hostPort(s, defaultPort string) (string, error) {
	host, port := s, defaultPort // a port given empty is an error, not the default
	switch {
	case strings.HasPrefix(s, "["): // [IPv6]:port
		end := strings.Index(s, "]")
		if end < 0 {
			return "", fmt.Errorf("host %q has no closing bracket", s)
		}
		host = s[:end+1]
		if after := s[end+1:]; after != "" {
			var ok bool
			if port, ok = strings.CutPrefix(after, ":"); !ok {
				return "", fmt.Errorf("host %q has text after its closing bracket", s)
			}
		}
	case strings.Count(s, ":") == 1:
		host, port, _ = strings.Cut(s, ":")
	case strings.Count(s, ":") > 1:
		return "", fmt.Errorf("host %q: an IPv6 address must be in brackets, like [::1]:6379", s)
	}
	if host == "" || host == "[]" {
		if s == "" {
			return "", errors.New("URL has an empty host")
		}
		return "", fmt.Errorf("host %q has no name", s)
	}
	if strings.ContainsAny(host, " \t\r\n%") {
		return "", fmt.Errorf("host %q contains a character hosts cannot contain", host)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("host %q has a bad port %q: want a number from 1 to 65535", s, port)
	}
	return host + ":" + port, nil
}

// newInstanceID returns a random id for this Store.
func newInstanceID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
