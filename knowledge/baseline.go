package knowledge

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
)

// Baseline is a stock bleve index over the same content: the default
// mapping and standard analyzer, the default in-memory index, and a plain
// match query. It answers whenever anything matches. `layanan eval
// --baseline` shows it beside Index so the gain of the analysis is visible.
type Baseline struct {
	content *Content
	bleve   bleve.Index
	byID    map[string]int
}

// BuildBaseline indexes the content the stock way.
func BuildBaseline(ctx context.Context, c *Content) (*Baseline, error) {
	bi, err := bleve.NewMemOnly(bleve.NewIndexMapping())
	if err != nil {
		return nil, fmt.Errorf("knowledge: create baseline index: %w", err)
	}
	b := &Baseline{content: c, bleve: bi, byID: make(map[string]int, len(c.Entries))}
	batch := bi.NewBatch()
	for i := range c.Entries {
		if err := ctx.Err(); err != nil {
			bi.Close()
			return nil, fmt.Errorf("knowledge: build baseline: %w", err)
		}
		e := &c.Entries[i]
		b.byID[e.ID] = i
		if err := batch.Index(e.ID, entryFields(e)); err != nil {
			bi.Close()
			return nil, fmt.Errorf("knowledge: baseline index %s: %w", e.ID, err)
		}
	}
	if err := bi.Batch(batch); err != nil {
		bi.Close()
		return nil, fmt.Errorf("knowledge: build baseline: %w", err)
	}
	return b, nil
}

// Search runs a plain match query.
func (b *Baseline) Search(ctx context.Context, question string, top int) (Result, error) {
	res := Result{Question: question}
	req := bleve.NewSearchRequestOptions(bleve.NewMatchQuery(question), top, 0, false)
	sr, err := b.bleve.SearchInContext(ctx, req)
	if err != nil {
		return res, fmt.Errorf("knowledge: baseline search: %w", err)
	}
	for _, dm := range sr.Hits {
		if i, ok := b.byID[dm.ID]; ok {
			res.Hits = append(res.Hits, Hit{Entry: &b.content.Entries[i], Score: dm.Score})
		}
	}
	res.Answered = len(res.Hits) > 0
	return res, nil
}

// Content returns the content the index was built from.
func (b *Baseline) Content() *Content { return b.content }

// Close releases the index.
func (b *Baseline) Close() error {
	if err := b.bleve.Close(); err != nil {
		return fmt.Errorf("knowledge: close baseline: %w", err)
	}
	return nil
}
