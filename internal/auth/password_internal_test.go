package auth

import (
	"runtime"
	"sync"
	"testing"
)

// TestHashesTakeTurns: eight sign-ins at once run at most one argon2id
// hash per two cores at a time (each holds 64 MiB in production), and all
// of them are answered right.
func TestHashesTakeTurns(t *testing.T) {
	// At the production cost a hash takes long enough for eight to
	// overlap if nothing stops them.
	cheap := [3]any{argonTime, argonMemory, argonThreads}
	argonTime, argonMemory, argonThreads = 3, 64*1024, 2
	t.Cleanup(func() { argonTime, argonMemory, argonThreads = cheap[0].(uint32), cheap[1].(uint32), cheap[2].(uint8) })
	h := HashPassword("correct horse battery")
	argonPeak.Store(0)
	var wg sync.WaitGroup
	ok := make([]bool, 8)
	for i := range ok {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pw := "correct horse battery"
			if i%2 == 1 {
				pw += "!"
			}
			ok[i] = VerifyPassword(h, pw) == (i%2 == 0)
		}()
	}
	wg.Wait()
	for i, good := range ok {
		if !good {
			t.Errorf("sign-in %d was answered wrong", i)
		}
	}
	if peak, slots := argonPeak.Load(), int32(max(1, runtime.NumCPU()/2)); peak < 1 || peak > slots {
		t.Errorf("%d hashes ran at once, want at most %d", peak, slots)
	}
}
