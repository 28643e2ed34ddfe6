// Package outbox lets `layanan broadcast` reach a running server that holds
// the embedded store (one file, one process): the command drops a request
// file in DATA_DIR/outbox (Queue), the server starts the job and writes its
// progress next to it (Serve), and the command reads that to follow it
// (ReadStatus).
package outbox

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

// request is a broadcast the command asks the server for.
type request struct {
	HTML   string    `json:"html"`
	Topic  string    `json:"topic,omitempty"`
	Queued time.Time `json:"queued"`
}

// Status is what the server wrote about a request: the job's progress,
// or why it could not start.
type Status struct {
	Status bot.BroadcastStatus `json:"status"`
	Error  string              `json:"error,omitempty"`
}

// Dir is the outbox folder in dataDir.
func Dir(dataDir string) string { return filepath.Join(dataDir, "outbox") }

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

// Queue leaves a request for the running server and returns its id.
func Queue(dataDir, html, topic string) (string, error) {
	dir := Dir(dataDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("outbox: %w", err)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	id := time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
	return id, writeAtomic(filepath.Join(dir, id+".json"), request{HTML: html, Topic: topic, Queued: time.Now().UTC()})
}

// ReadStatus reads what the server wrote about a request; found is false
// while it has written nothing.
func ReadStatus(dataDir, id string) (Status, bool, error) {
	data, err := os.ReadFile(filepath.Join(Dir(dataDir), id+".status"))
	if os.IsNotExist(err) {
		return Status{}, false, nil
	}
	if err != nil {
		return Status{}, false, fmt.Errorf("outbox: %w", err)
	}
	var st Status
	if err := json.Unmarshal(data, &st); err != nil {
		return Status{}, false, fmt.Errorf("outbox: %w", err)
	}
	return st, true, nil
}

// Serve starts the jobs requested in the outbox and keeps their status
// files current, until ctx ends.
func Serve(ctx context.Context, dataDir string, svc *broadcast.Service, log *slog.Logger) {
	dir := Dir(dataDir)
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
				var req request
				data, err := os.ReadFile(path)
				if err == nil {
					err = json.Unmarshal(data, &req)
				}
				st := Status{}
				if err != nil {
					st.Error = "permintaan tidak terbaca: " + err.Error()
				} else if j, err := svc.StartBroadcast(ctx, req.HTML, req.Topic, 0); err != nil {
					st.Error = "siaran tidak bisa dimulai"
					log.Error("outbox broadcast failed", "request", id, "err", err)
				} else {
					st.Status = j
					log.Info("outbox broadcast started", "request", id, "job_id", j.ID)
				}
				if err := writeAtomic(filepath.Join(dir, id+".status"), st); err != nil {
					log.Warn("outbox status", "err", err)
				}
				os.Remove(path)
			case strings.HasSuffix(name, ".status"):
				path := filepath.Join(dir, name)
				var st Status
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
					_ = writeAtomic(path, Status{Status: cur})
				}
			}
		}
	}
}
