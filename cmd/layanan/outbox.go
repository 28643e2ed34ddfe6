package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/layanan-id/layanan/bot"
	"github.com/layanan-id/layanan/bot/broadcast"
)

// The outbox lets `layanan broadcast` reach a running server that holds the
// embedded store (one file, one process): the command drops a request file
// in DATA_DIR/outbox, the server starts the job and writes its progress
// next to it, and the command reads that to follow it.

type outboxRequest struct {
	HTML   string    `json:"html"`
	Topic  string    `json:"topic,omitempty"`
	Queued time.Time `json:"queued"`
}

type outboxStatus struct {
	Status bot.BroadcastStatus `json:"status"`
	Error  string              `json:"error,omitempty"`
}

func outboxDir(dataDir string) string { return filepath.Join(dataDir, "outbox") }

// writeAtomic writes a file so that readers never see half of it.
func writeAtomic(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("outbox: encode: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("outbox: write: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("outbox: write: %w", err)
	}
	return nil
}

// queueToOutbox leaves a request for the running server and returns its id.
func queueToOutbox(dataDir, html, topic string) (string, error) {
	dir := outboxDir(dataDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("outbox: %w", err)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	id := time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
	return id, writeAtomic(filepath.Join(dir, id+".json"), outboxRequest{HTML: html, Topic: topic, Queued: time.Now().UTC()})
}

// readOutboxStatus reads what the server wrote about a request.
func readOutboxStatus(dataDir, id string) (outboxStatus, bool, error) {
	data, err := os.ReadFile(filepath.Join(outboxDir(dataDir), id+".status"))
	if os.IsNotExist(err) {
		return outboxStatus{}, false, nil
	}
	if err != nil {
		return outboxStatus{}, false, fmt.Errorf("outbox: %w", err)
	}
	var st outboxStatus
	if err := json.Unmarshal(data, &st); err != nil {
		return outboxStatus{}, false, fmt.Errorf("outbox: %w", err)
	}
	return st, true, nil
}

// serveOutbox starts the jobs requested in the outbox and keeps their
// status files current, until ctx ends.
func serveOutbox(ctx context.Context, dataDir string, svc *broadcast.Service, log *slog.Logger) {
	dir := outboxDir(dataDir)
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue // no outbox yet
		}
		for _, e := range entries {
			name := e.Name()
			switch {
			case strings.HasSuffix(name, ".json"):
				id := strings.TrimSuffix(name, ".json")
				path := filepath.Join(dir, name)
				var req outboxRequest
				data, err := os.ReadFile(path)
				if err == nil {
					err = json.Unmarshal(data, &req)
				}
				st := outboxStatus{}
				if err != nil {
					st.Error = "permintaan tidak terbaca: " + err.Error()
				} else if j, err := svc.Start(ctx, req.HTML, req.Topic, 0); err != nil {
					st.Error = "siaran tidak bisa dimulai"
					log.Error("outbox broadcast failed", "request", id, "err", err)
				} else {
					st.Status, _ = svc.StatusOf(ctx, j.ID)
					log.Info("outbox broadcast started", "request", id, "job_id", j.ID)
				}
				if err := writeAtomic(filepath.Join(dir, id+".status"), st); err != nil {
					log.Warn("outbox status", "err", err)
				}
				os.Remove(path)
			case strings.HasSuffix(name, ".status"):
				path := filepath.Join(dir, name)
				var st outboxStatus
				data, err := os.ReadFile(path)
				if err != nil || json.Unmarshal(data, &st) != nil || st.Error != "" || st.Status.ID == "" {
					continue
				}
				if st.Status.State == broadcast.StateDone || st.Status.State == broadcast.StateCancelled {
					if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
						os.Remove(path) // followed long ago
					}
					continue
				}
				if cur, err := svc.StatusOf(ctx, st.Status.ID); err == nil {
					_ = writeAtomic(path, outboxStatus{Status: cur})
				}
			}
		}
	}
}
