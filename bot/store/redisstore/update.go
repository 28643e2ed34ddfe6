package redisstore

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/layanan-id/layanan/bot"
)

// Values of an update's key.
const (
	updateClaimed = "claimed"
	updateDone    = "done"
)

// Admit implements bot.Store: one pipeline of SET NX (the claim), GET
// (what holds it otherwise), SADD, SCARD and PEXPIRE (the flood count: a
// set of the window's update ids, so that a redelivery counts once) and
// GET (the session).
func (s *Store) Admit(ctx context.Context, a bot.Arrival) (bot.Admission, error) {
	const op = "admit"
	if s.closed.Load() {
		return bot.Admission{}, fail(op, bot.ErrStoreClosed)
	}
	if err := a.Check(); err != nil {
		return bot.Admission{}, fail(op, err)
	}
	var floodKey string
	var untilEnd time.Duration
	if a.FloodWindow > 0 && a.UserID != 0 {
		hash, err := s.userHash(ctx, a.UserID)
		if err != nil {
			return bot.Admission{}, fail(op, err)
		}
		now := time.Now().UnixNano()
		index := now / int64(a.FloodWindow)
		untilEnd = time.Duration((index+1)*int64(a.FloodWindow) - now)
		floodKey = s.keys.flood(hash, a.FloodWindow, index)
	}

	// Commands on different keys need no transaction, and the keys lie in
	// different slots of a cluster: a plain pipeline is one round trip.
	pipe := s.client.Pipeline()
	updateKey := s.keys.update(a.UpdateID)
	claim := pipe.SetNX(ctx, updateKey, updateClaimed, a.ClaimTTL)
	holder := pipe.Get(ctx, updateKey)
	var count *redis.IntCmd
	if floodKey != "" {
		pipe.SAdd(ctx, floodKey, a.UpdateID)
		count = pipe.SCard(ctx, floodKey)
		pipe.PExpire(ctx, floodKey, untilEnd+floodMargin)
	}
	var session *redis.StringCmd
	if a.UserID != 0 {
		session = pipe.Get(ctx, s.keys.session(a.UserID))
	}
	cmds, _ := pipe.Exec(ctx)
	for _, cmd := range cmds {
		// A missing session or update key is a redis.Nil, not a failure.
		if err := cmd.Err(); err != nil && !errors.Is(err, redis.Nil) {
			return bot.Admission{}, fail(op, err)
		}
	}

	var adm bot.Admission
	switch {
	case claim.Val():
		adm.Claim = bot.Claimed
	case holder.Val() == updateClaimed:
		adm.Claim = bot.ClaimHeld
	case holder.Err() != nil:
		// The claim lapsed between SET NX and GET: let a retry take it.
		adm.Claim = bot.ClaimHeld
	default:
		// "done", or "1" as versions before claims marked an update.
		adm.Claim = bot.ClaimDone
	}
	if count != nil {
		adm.Messages = int(count.Val())
	}
	if session != nil && session.Err() == nil {
		if err := json.Unmarshal([]byte(session.Val()), &adm.Session); err != nil {
			return bot.Admission{}, fail(op, fmt.Errorf("decode session: %w", err))
		}
		adm.Found = true
	}
	return adm, nil
}

// Finish implements bot.Store: one pipeline that marks the update done
// and writes the session, the statistics and the unanswered question.
func (s *Store) Finish(ctx context.Context, c bot.Completion) error {
	const op = "finish"
	if s.closed.Load() {
		return fail(op, bot.ErrStoreClosed)
	}
	if err := c.Check(); err != nil {
		return fail(op, err)
	}
	pipe := s.client.Pipeline()
	pipe.Set(ctx, s.keys.update(c.UpdateID), updateDone, c.DoneTTL)
	if c.Session != nil {
		data, err := json.Marshal(c.Session)
		if err != nil {
			return fail(op, err)
		}
		pipe.Set(ctx, s.keys.session(c.UserID), data, c.SessionTTL)
	}
	if q := c.Question; q != nil {
		s.queueCountQuestion(ctx, pipe, q.At, c.UserID, q.Outcome, q.EntryID)
	}
	if c.Unanswered != nil {
		s.queueLogUnanswered(ctx, pipe, *c.Unanswered, c.UnansweredRetention, c.UnansweredMax)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fail(op, err)
	}
	return nil
}

// userHash names a user in keys that outlive a /hapusdata: an HMAC of
// the id under the store's secret, shortened to 128 bits.
func (s *Store) userHash(ctx context.Context, userID int64) (string, error) {
	secret, err := s.userKeySecret(ctx)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(strconv.FormatInt(userID, 10)))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:16]), nil
}

// userKeySecret returns the secret of userHash. The first process that
// needs it makes it (SET NX) and every replica reads the same one; it is
// read once per process.
func (s *Store) userKeySecret(ctx context.Context) ([]byte, error) {
	s.secretMu.Lock()
	defer s.secretMu.Unlock()
	if s.secret != nil {
		return s.secret, nil
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("user key secret: %w", err)
	}
	key := s.keys.userKeySecret()
	pipe := s.client.Pipeline()
	pipe.SetNX(ctx, key, base64.StdEncoding.EncodeToString(fresh), 0)
	got := pipe.Get(ctx, key)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("user key secret: %w", err)
	}
	secret, err := base64.StdEncoding.DecodeString(got.Val())
	if err != nil || len(secret) < 16 {
		return nil, fmt.Errorf("user key secret: %s holds no base64 secret of 16 bytes or more", key)
	}
	s.secret = secret
	return secret, nil
}
