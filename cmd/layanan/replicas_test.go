package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/bot/store/redisstore"
	"github.com/layanan-id/layanan/internal/fakebotapi"
	"github.com/layanan-id/layanan/internal/redistest"
)

const (
	replicaCount       = 3
	replicaRate        = 30 // BROADCAST_RATE
	workersPerReplica  = 8  // broadcast.Config's default Workers
	replicaAdmin       = 777
	replicaSubscribers = 600
	announcement       = "Pengumuman uji"
	// The deliveries stream and its consumer group, as the redisstore
	// package comment documents them, under serve's default prefix.
	deliveriesStream = redisstore.DefaultPrefix + "{bc}:deliveries"
	deliveriesGroup  = "workers"
)

// TestReplicas runs three `layanan serve` processes in webhook mode on one
// Redis, as the README's third way to run, with the test as a round-robin
// load balancer in front: every update is answered once though Telegram
// delivers some twice to different replicas, a session follows its user
// from replica to replica, and a broadcast is delivered by all replicas
// together within the one global rate, also when one of them is killed.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("starts redis-server and three layanan processes; skipped with -short")
	}
	if os.Getenv("REDIS_URL") != "" {
		// serve always uses the default key prefix "layanan:", so it must
		// not run against a Redis shared with anyone else.
		t.Skip("REDIS_URL is set: serve has no key prefix setting, so this test needs a throwaway redis-server; unset REDIS_URL to run it")
	}
	begin := time.Now()
	rds := redistest.Start(t)
	api := fakebotapi.New(t)
	bin := buildLayanan(t)
	t.Logf("built layanan in %s", time.Since(begin).Round(time.Millisecond))

	began := time.Now()
	replicas := make([]*replica, replicaCount)
	env := func(extra ...string) map[string]string {
		addr := freeAddr(t)
		e := map[string]string{
			"TELEGRAM_TOKEN":   fakebotapi.Token,
			"TELEGRAM_API_URL": api.APIURL(),
			"REDIS_URL":        rds.URL,
			"WEBHOOK_URL":      "http://" + addr + "/hook",
			"WEBHOOK_SECRET":   replicaSecret,
			"LISTEN_ADDR":      addr,
			"HTTP_ADDR":        freeAddr(t),
			"ADMIN_IDS":        fmt.Sprint(replicaAdmin),
			"BROADCAST_RATE":   fmt.Sprint(replicaRate),
			"DATA_DIR":         t.TempDir(),
			"LOG_FORMAT":       "json",
		}
		for i := 0; i+1 < len(extra); i += 2 {
			e[extra[i]] = extra[i+1]
		}
		return e
	}
	for i := range replicas {
		replicas[i] = startReplica(t, bin, fmt.Sprintf("replica %d", i+1), env())
	}
	for _, r := range replicas {
		r.waitReady(t, 20*time.Second)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, r := range replicas {
				t.Logf("%s log (end):\n%s", r.name, tail(r.logs(), 4000))
			}
		}
	})
	t.Logf("three replicas ready in %s", time.Since(began).Round(time.Millisecond))

	t.Run("every update answered once", func(t *testing.T) {
		start := time.Now()
		testRoundRobinRedelivery(t, api, replicas)
		t.Logf("took %s", time.Since(start).Round(time.Millisecond))
	})
	t.Run("session follows the user", func(t *testing.T) {
		testSessionAcrossReplicas(t, api, replicas)
	})
	t.Run("killed between claim and reply", func(t *testing.T) {
		// A replica of its own, with a short claim, so the test need not
		// wait the default 15 s for the claim to lapse.
		doomed := startReplica(t, bin, "replica killed", env("CLAIM_TTL", "2s"))
		doomed.waitReady(t, 20*time.Second)
		testKilledBeforeReply(t, api, doomed, replicas[0])
	})
	t.Run("broadcast across replicas, one killed", func(t *testing.T) {
		start := time.Now()
		testBroadcastAcrossReplicas(t, api, replicas, rds.URL)
		t.Logf("took %s", time.Since(start).Round(time.Millisecond))
	})
}

// testKilledBeforeReply kills a replica after it claimed an update and
// before its reply reached Telegram, then delivers the update again to
// another replica, as Telegram does when a webhook call fails: the
// redelivery waits (503) until the dead replica's claim lapses, and is
// then answered, once.
func testKilledBeforeReply(t *testing.T, api *fakebotapi.Server, doomed, survivor *replica) {
	const user, update = 50_001, 50_001
	api.HoldNextMessage(user)
	u := userMessage(update, user, "syarat bikin skck")
	go func() { _, _ = doomed.postOnce(u) }() // fails when the process dies
	waitUntil(t, 10*time.Second, "the reply to reach the Bot API", func() bool {
		for _, r := range api.Requests("sendMessage") {
			if r.Params.Get("chat_id") == fmt.Sprint(user) {
				return true
			}
		}
		return false
	})
	doomed.kill(t)
	if got := sentTo(api, user); len(got) != 0 {
		t.Fatalf("the killed replica's reply was delivered: %q", got)
	}
	start := time.Now()
	if err := survivor.post(u); err != nil {
		t.Fatal(err)
	}
	t.Logf("redelivery answered %s after the kill", time.Since(start).Round(10*time.Millisecond))
	got := sentTo(api, user)
	if len(got) != 1 || !strings.Contains(got[0], "SKCK") {
		t.Fatalf("replies after the redelivery = %q, want one SKCK answer", got)
	}
	// Telegram delivering it once more: a duplicate, no second answer.
	if err := survivor.post(u); err != nil {
		t.Fatal(err)
	}
	if got := sentTo(api, user); len(got) != 1 {
		t.Errorf("after a further redelivery: %d replies, want 1", len(got))
	}
}

// testRoundRobinRedelivery sends 150 users' question and follow-up (300
// updates) round-robin, so each follow-up reaches another replica than its
// question, and 50 of the updates a second time to yet another replica,
// half at the same moment as the first delivery (Telegram retries when an
// answer is slow, while the first is still being handled) and half after
// it was answered. Every update must get exactly one reply: two per chat.
func testRoundRobinRedelivery(t *testing.T, api *fakebotapi.Server, replicas []*replica) {
	const users = 150
	const firstUpdate, firstUser = 10_000, 100_001
	questions := sampleQuestions(t, users)
	followUps := []string{"biayanya berapa?", "syaratnya apa aja?", "berapa lama?", "di mana?"}

	type delivery struct {
		u          tgbotapi.Update
		to         int  // replica index, round-robin
		again      bool // redelivered to replica to+1
		concurrent bool // the redelivery overlaps the first delivery
	}
	type chat struct {
		user     int64
		question delivery
		followUp delivery
	}
	chats := make([]chat, users)
	redelivered := map[int]bool{}
	for i := range chats {
		user := int64(firstUser + i)
		q := firstUpdate + 2*i
		c := chat{
			user:     user,
			question: delivery{u: userMessage(q, user, questions[i]), to: (2 * i) % replicaCount},
			followUp: delivery{u: userMessage(q+1, user, followUps[i%len(followUps)]), to: (2*i + 1) % replicaCount},
		}
		if i%3 == 0 { // 50 chats: one of their updates is delivered twice
			k := i / 3
			d := &c.question
			if k%2 == 1 {
				d = &c.followUp
			}
			d.again, d.concurrent = true, k%4 < 2
			redelivered[d.u.UpdateID] = true
		}
		chats[i] = c
	}

	post := func(d delivery, to int) {
		if err := replicas[to].post(d.u); err != nil {
			t.Error(err)
		}
	}
	deliver := func(d delivery) {
		again := (d.to + 1) % replicaCount
		switch {
		case !d.again:
			post(d, d.to)
		case d.concurrent:
			var wg sync.WaitGroup
			wg.Go(func() { post(d, d.to) })
			wg.Go(func() { post(d, again) })
			wg.Wait()
		default:
			post(d, d.to)
			post(d, again)
		}
	}
	// A user's follow-up is sent once the question was handled, as a
	// person reads the answer first; users are served in parallel.
	work := make(chan chat)
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			for c := range work {
				deliver(c.question)
				deliver(c.followUp)
			}
		})
	}
	for _, c := range chats {
		work <- c
	}
	close(work)
	wg.Wait()

	// Exactly one reply per update: two per chat, none refused.
	perChat := map[int64]int{}
	for _, m := range api.SentMessages() {
		perChat[m.ChatID]++
	}
	for _, r := range api.Requests("sendMessage") {
		if r.Status != 200 {
			t.Errorf("sendMessage refused with %d for chat %s", r.Status, r.Params.Get("chat_id"))
		}
	}
	wrong := 0
	for _, c := range chats {
		if n := perChat[c.user]; n != 2 {
			wrong++
			if wrong <= 10 {
				t.Errorf("chat %d got %d replies to its 2 updates (question %q)", c.user, n, c.question.u.Message.Text)
			}
		}
	}

	// The logs agree: each update handled once, by one replica; each
	// redelivery recognised as a duplicate by another.
	byUpdate := map[int]*updateLog{}
	for _, h := range handledLines(t, replicas) {
		if h.UpdateID < firstUpdate || h.UpdateID >= firstUpdate+2*users {
			continue
		}
		s := byUpdate[h.UpdateID]
		if s == nil {
			s = &updateLog{}
			byUpdate[h.UpdateID] = s
		}
		switch {
		case h.Msg == "update failed":
			t.Errorf("update %d failed on replica %d (outcome %s)", h.UpdateID, h.replica+1, h.Outcome)
		case h.Outcome == "duplicate":
			s.duplicate = append(s.duplicate, h)
		case h.Outcome == "in_progress":
			// A redelivery that met the first delivery still running:
			// 503, and Telegram (here post) delivers it again.
		default:
			s.handled = append(s.handled, h)
		}
	}
	followed, crossed := 0, 0
	for _, c := range chats {
		for _, d := range []delivery{c.question, c.followUp} {
			s := byUpdate[d.u.UpdateID]
			want := 0
			if d.again {
				want = 1
			}
			if s == nil {
				s = &updateLog{}
			}
			if len(s.handled) != 1 || len(s.duplicate) != want {
				t.Errorf("update %d: logged as handled %d times and as a duplicate %d times, want 1 and %d", d.u.UpdateID, len(s.handled), len(s.duplicate), want)
				continue
			}
			if d.again && s.duplicate[0].replica == s.handled[0].replica {
				t.Errorf("update %d: handled and refused as duplicate by the same replica %d", d.u.UpdateID, s.handled[0].replica+1)
			}
		}
		// The follow-up was answered from the question's topic, though
		// another replica handled the question.
		q, f := byUpdate[c.question.u.UpdateID], byUpdate[c.followUp.u.UpdateID]
		if q == nil || f == nil || len(q.handled) != 1 || len(f.handled) != 1 || q.handled[0].Outcome != "answered" {
			continue
		}
		followed++
		if q.handled[0].replica != f.handled[0].replica {
			crossed++
		}
		if f.handled[0].Outcome != "followup" || f.handled[0].EntryID != q.handled[0].EntryID {
			t.Errorf("chat %d: %q answered with %s on replica %d, then %q gave %s %s on replica %d; want a follow-up of %s",
				c.user, c.question.u.Message.Text, q.handled[0].EntryID, q.handled[0].replica+1,
				c.followUp.u.Message.Text, f.handled[0].Outcome, f.handled[0].EntryID, f.handled[0].replica+1, q.handled[0].EntryID)
		}
	}
	if followed < users/2 {
		t.Errorf("only %d of %d questions were answered outright; too few to check follow-ups", followed, users)
	}
	if crossed < followed*3/4 {
		t.Errorf("only %d of %d follow-ups were handled by another replica than their question", crossed, followed)
	}
	t.Logf("%d updates and %d redeliveries to %d replicas; %d answered questions' follow-ups checked, %d of them on another replica",
		2*users, len(redelivered), replicaCount, followed, crossed)
}

// updateLog is what the replicas logged about one update.
type updateLog struct {
	handled, duplicate []handledLine
}

// sampleQuestions returns n questions spread over the evaluation set, in
// scope and out of scope alike: the reply count must not depend on
// whether the bot knew the answer.
func sampleQuestions(t *testing.T, n int) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "knowledge", "testdata", "questions.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if _, q, ok := strings.Cut(line, "\t"); ok && strings.TrimSpace(q) != "" {
			all = append(all, strings.TrimSpace(q))
		}
	}
	if len(all) < n {
		t.Fatalf("questions.tsv has %d questions, want at least %d", len(all), n)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = all[i*len(all)/n]
	}
	return out
}

// testSessionAcrossReplicas asks on one replica and follows up on another.
func testSessionAcrossReplicas(t *testing.T, api *fakebotapi.Server, replicas []*replica) {
	const user = 200_001
	if err := replicas[0].post(userMessage(20_001, user, "syarat bikin skck")); err != nil {
		t.Fatal(err)
	}
	if err := replicas[1].post(userMessage(20_002, user, "biayanya berapa?")); err != nil {
		t.Fatal(err)
	}
	got := sentTo(api, user)
	if len(got) != 2 {
		t.Fatalf("got %d replies, want 2: %q", len(got), got)
	}
	if !strings.Contains(got[0], "SKCK") {
		t.Errorf("replica 1 answered %q, want the SKCK entry", got[0])
	}
	if !strings.Contains(got[1], "SKCK") || !strings.Contains(got[1], "Biaya") {
		t.Errorf("replica 2 answered the follow-up with %q, want the SKCK fee", got[1])
	}
}

// sentTo returns the texts the fake accepted for chat, in order.
func sentTo(api *fakebotapi.Server, chat int64) []string {
	var out []string
	for _, m := range api.SentMessages() {
		if m.ChatID == chat {
			out = append(out, m.Text)
		}
	}
	return out
}

// testBroadcastAcrossReplicas subscribes 600 chats through all replicas,
// has the admin write the announcement on replica 1 and confirm it on
// replica 2, kills replica 3 with SIGKILL after about 200 deliveries, and
// checks that the other two finish the broadcast within the shared rate.
//
// The deliveries replica 3 had claimed when it died (at most one per
// worker) wait for the queue's MinIdle, 15 minutes in production, before
// another replica takes them over; the test does not wait that long, so
// it checks that exactly those are outstanding and everything else went
// out once.
func testBroadcastAcrossReplicas(t *testing.T, api *fakebotapi.Server, replicas []*replica, redisURL string) {
	const firstUpdate, firstUser = 30_000, 300_001
	ctx := context.Background()

	// 600 subscriptions, round-robin over the replicas.
	subscribers := map[int64]bool{}
	work := make(chan int)
	var wg sync.WaitGroup
	for range 24 {
		wg.Go(func() {
			for i := range work {
				if err := replicas[i%replicaCount].post(userMessage(firstUpdate+i, int64(firstUser+i), "/langganan")); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for i := range replicaSubscribers {
		subscribers[int64(firstUser+i)] = true
		work <- i
	}
	close(work)
	wg.Wait()
	confirmed := map[int64]int{}
	for _, m := range api.SentMessages() {
		if subscribers[m.ChatID] && strings.Contains(m.Text, "berlangganan") {
			confirmed[m.ChatID]++
		}
	}
	for chat := range subscribers {
		if confirmed[chat] != 1 {
			t.Fatalf("chat %d got %d subscription confirmations, want 1", chat, confirmed[chat])
		}
	}

	// The admin writes the announcement on replica 1 and presses Kirim on
	// replica 2: the draft is in the session, in Redis.
	before := len(sentTo(api, replicaAdmin))
	if err := replicas[0].post(userMessage(40_001, replicaAdmin, "/broadcast "+announcement)); err != nil {
		t.Fatal(err)
	}
	preview := sentTo(api, replicaAdmin)[before:]
	if len(preview) != 2 || preview[0] != announcement || !strings.Contains(preview[1], fmt.Sprintf("Penerima: <b>%d</b>", replicaSubscribers)) {
		t.Fatalf("preview = %q", preview)
	}
	permits := watchPermits(t, redisURL, redisstore.DefaultPrefix+"rate:broadcast")
	stalls := watchStalls(t, 25*time.Millisecond)
	started := time.Now()
	if err := replicas[1].post(buttonPress(40_002, replicaAdmin, "b:send")); err != nil {
		t.Fatal(err)
	}
	if got := sentTo(api, replicaAdmin); len(got) != before+3 || !strings.Contains(got[before+2], fmt.Sprintf("dimulai untuk %d penerima", replicaSubscribers)) {
		t.Fatalf("after Kirim on replica 2 the admin got %q", got[before:])
	}

	announcements := func() []fakebotapi.Sent {
		var out []fakebotapi.Sent
		for _, m := range api.SentMessages() {
			if subscribers[m.ChatID] && m.Text == announcement {
				out = append(out, m)
			}
		}
		return out
	}

	// About a third in, replica 3 dies.
	killAt := replicaSubscribers / 3
	waitUntil(t, 20*time.Second, fmt.Sprintf("%d announcements delivered", killAt), func() bool { return len(announcements()) >= killAt })
	victim := replicas[2]
	sentBeforeKill := make([]float64, replicaCount)
	for i, r := range replicas {
		sentBeforeKill[i] = r.metric(t, `layanan_broadcast_deliveries_total{result="sent"}`)
	}
	deadConsumer := victim.consumer(t)
	victim.kill(t)
	killedAt := time.Now()
	t.Logf("killed %s after %d announcements, %s into the broadcast", victim.name, len(announcements()), killedAt.Sub(started).Round(time.Millisecond))

	// The survivors deliver everything but what the dead replica holds.
	store, err := redisstore.Open(ctx, redisURL, redisstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rc := redis.NewClient(opts)
	defer rc.Close()
	jobs, err := store.Jobs(ctx, 1)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("jobs = %v, %v", jobs, err)
	}
	jobID := jobs[0].ID
	pacing := time.Duration(float64(replicaSubscribers) / (replicaRate / 1.05) * float64(time.Second))
	margin := 15 * time.Second
	var deadPending int64
	waitUntil(t, time.Until(started.Add(pacing+margin)), "every delivery not held by the killed replica completed", func() bool {
		j, c, err := store.Job(ctx, jobID)
		if err != nil {
			t.Fatal(err)
		}
		p, err := rc.XPending(ctx, deliveriesStream, deliveriesGroup).Result()
		if err != nil {
			t.Fatal(err)
		}
		deadPending = p.Consumers[deadConsumer]
		return int64(c.Completed())+deadPending == int64(j.Total) && p.Count == deadPending
	})
	got := announcements()
	t.Logf("broadcast of %d: %d delivered in %s (%.1f/s), %d held by the killed replica",
		replicaSubscribers, len(got), got[len(got)-1].At.Sub(started).Round(time.Millisecond),
		float64(len(got))/got[len(got)-1].At.Sub(got[0].At).Seconds(), deadPending)

	// What the dead replica held: the deliveries it had claimed.
	held := map[int64]bool{}
	if deadPending > 0 {
		pending, err := rc.XPendingExt(ctx, &redis.XPendingExtArgs{
			Stream: deliveriesStream, Group: deliveriesGroup, Consumer: deadConsumer, Start: "-", End: "+", Count: 1000,
		}).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pending {
			msgs, err := rc.XRange(ctx, deliveriesStream, p.ID, p.ID).Result()
			if err != nil || len(msgs) != 1 {
				t.Fatalf("pending delivery %s: %v, %v", p.ID, msgs, err)
			}
			var chat int64
			if _, err := fmt.Sscan(fmt.Sprint(msgs[0].Values["chat"]), &chat); err != nil {
				t.Fatalf("pending delivery %s: %v", p.ID, msgs[0].Values)
			}
			held[chat] = true
		}
	}
	if len(held) > workersPerReplica {
		t.Errorf("the killed replica holds %d deliveries, want at most one per worker (%d)", len(held), workersPerReplica)
	}

	// Every subscriber got the announcement once, but for the held ones
	// not sent yet; none twice (a takeover would take 15 minutes).
	reached := map[int64]int{}
	for _, m := range got {
		reached[m.ChatID]++
	}
	var missing, heldSent []int64
	for chat := range subscribers {
		switch n := reached[chat]; {
		case n > 1:
			t.Errorf("chat %d got the announcement %d times", chat, n)
		case n == 0:
			missing = append(missing, chat)
			if !held[chat] {
				t.Errorf("chat %d never got the announcement, and the killed replica does not hold it", chat)
			}
		case held[chat]:
			heldSent = append(heldSent, chat) // sent, killed before completing it
		}
	}
	slices.Sort(missing)
	j, c, err := store.Job(ctx, jobID)
	if err != nil {
		t.Fatal(err)
	}
	remaining := j.Total - c.Completed()
	if j.Total != replicaSubscribers || remaining != len(held) || c.Sent != len(reached)-len(heldSent) || c.Failed+c.Blocked+c.Skipped != 0 {
		t.Errorf("job %s: total %d, counts %+v, remaining %d; want total %d, remaining %d (held by the killed replica), sent %d",
			j.ID, j.Total, c, remaining, replicaSubscribers, len(held), len(reached)-len(heldSent))
	}
	t.Logf("not reached: %d %v; held by the killed replica though already sent: %d (these would go out twice after MinIdle)", len(missing), missing, len(heldSent))

	// The admin sees the same in /broadcast status, asked on replica 2.
	before = len(sentTo(api, replicaAdmin))
	if err := replicas[1].post(userMessage(40_003, replicaAdmin, "/broadcast status")); err != nil {
		t.Fatal(err)
	}
	var status []string
	for _, text := range sentTo(api, replicaAdmin)[before:] {
		// A job that completed (nothing held) also sends its report.
		if !strings.HasPrefix(text, "📣 Laporan siaran") {
			status = append(status, text)
		}
	}
	if want := fmt.Sprintf("Sisa: %d dari %d", remaining, replicaSubscribers); len(status) != 1 || !strings.Contains(status[0], want) {
		t.Errorf("/broadcast status = %q, want %q", status, want)
	}

	// The pace: no one-second window holds more than BROADCAST_RATE.
	// The shared limiter's permits, by the Redis clock, show the pace the
	// replicas kept together; every announcement sent had a permit (the
	// killed replica may have taken a few it never used).
	permitTimes := permits.stop()
	if most, from := busiestSecond(permitTimes); most > replicaRate {
		t.Errorf("the limiter allowed %d deliveries within one second from %s into the broadcast, want at most %d",
			most, from.Sub(started).Round(time.Millisecond), replicaRate)
	}
	var requested int
	for _, r := range api.Requests("sendMessage") {
		if chat, err := strconv.ParseInt(r.Params.Get("chat_id"), 10, 64); err == nil && subscribers[chat] && r.Params.Get("text") == announcement {
			requested++
		}
	}
	if requested > len(permitTimes) || len(permitTimes) > requested+workersPerReplica {
		t.Errorf("%d announcements sent with %d permits of the shared limiter; want one permit each, and at most %d unused (the killed replica's)",
			requested, len(permitTimes), workersPerReplica)
	}
	// Arrivals at the fake, as Telegram would count them, hold to the
	// rate too, but where this process (which stamps them) was held up by
	// the scheduler: what arrived meanwhile is stamped as one bunch.
	arrivals := make([]time.Time, len(got))
	for i, m := range got {
		arrivals[i] = m.At
	}
	stalled := stalls.stop()
	var explained [2]time.Time // the stall last reported, once for its windows
	for _, from := range windowsOver(arrivals, replicaRate) {
		var stall [2]time.Time
		for _, s := range stalled {
			if !s[1].Before(from.Add(-5*time.Millisecond)) && s[1].Before(from.Add(time.Second)) {
				stall = s
			}
		}
		n := 0
		var b strings.Builder
		for _, at := range arrivals {
			if d := at.Sub(from); d >= 0 && d < time.Second {
				n++
				fmt.Fprintf(&b, " %d", d.Milliseconds())
			}
		}
		if !stall[0].IsZero() {
			if stall == explained {
				continue
			}
			explained = stall
			t.Logf("%d arrivals within one second from %s into the broadcast, but this process stalled for %s just before some of them were stamped; arrivals (ms):%s",
				n, from.Sub(started).Round(time.Millisecond), stall[1].Sub(stall[0]).Round(time.Millisecond), b.String())
			continue
		}
		t.Errorf("%d announcements arrived within one second from %s into the broadcast, want at most %d; arrivals (ms):%s",
			n, from.Sub(started).Round(time.Millisecond), replicaRate, b.String())
		break
	}
	mostPermits, _ := busiestSecond(permitTimes)
	mostArrivals, _ := busiestSecond(arrivals)

	// Every replica took part: replica 3 until it died, the others to the
	// end.
	sent := make([]float64, replicaCount)
	contributors := 0
	for i, r := range replicas {
		sent[i] = sentBeforeKill[i]
		if r != victim {
			sent[i] = r.metric(t, `layanan_broadcast_deliveries_total{result="sent"}`)
		}
		if sent[i] > 0 {
			contributors++
		}
	}
	if contributors < 2 {
		t.Errorf("deliveries sent per replica %v: want at least two replicas delivering", sent)
	}
	if total := int(sent[0] + sent[1] + sent[2]); total > c.Sent {
		t.Errorf("replicas count %d deliveries sent (%v), the job only %d", total, sent, c.Sent)
	}
	t.Logf("busiest second: %d permits, %d arrivals (%d stalls of this process seen); sent per replica (replica 3 until killed): %v",
		mostPermits, mostArrivals, len(stalled), sent)
}

// waitUntil polls cond until it holds, failing the test after timeout.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", timeout.Round(time.Millisecond), what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
