package bot

import (
	"crypto/sha256"
	"encoding/json"
	"runtime"
	"sync"
)

// renderCache keeps the latest pictures by their input, so that a Home
// opened again, or a burst of changes that comes back to a state seen a
// moment ago, draws nothing; and it bounds how many pictures are drawn at
// once, so drawing never takes every CPU from acknowledging envelopes
// (Slack wants an ack within 3 seconds).
type renderCache struct {
	slots chan struct{}

	mu    sync.Mutex
	pngs  map[[32]byte][]byte
	order [][32]byte
}

// maxRenderCache is how many pictures the render cache keeps (radars are
// about 30 kB, grids of 50 about 60 kB: a few MB at most).
const maxRenderCache = 128

func newRenderCache() *renderCache {
	return &renderCache{
		slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1)),
		pngs:  map[[32]byte][]byte{},
	}
}

// render returns the PNG drawn from input, drawing it with draw unless the
// same input was drawn recently. input must encode to JSON.
func (c *renderCache) render(input any, draw func() ([]byte, error)) ([]byte, error) {
	raw, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	key := sha256.Sum256(raw)
	c.mu.Lock()
	png, ok := c.pngs[key]
	c.mu.Unlock()
	if ok {
		return png, nil
	}
	c.slots <- struct{}{}
	png, err = draw()
	<-c.slots
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.pngs[key]; !ok {
		if len(c.order) >= maxRenderCache {
			delete(c.pngs, c.order[0])
			c.order = c.order[1:]
		}
		c.pngs[key] = png
		c.order = append(c.order, key)
	}
	return png, nil
}
