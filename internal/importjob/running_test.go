package importjob

import (
	"testing"

	"wanhu/internal/importer"
)

// TestRunning counts the jobs this runner runs and the rows they read,
// and forgets a job once it ends.
func TestRunning(t *testing.T) {
	j := New(nil, nil)
	if jobs, rows := j.Running(); jobs != 0 || rows != 0 {
		t.Fatalf("idle: %d jobs, %d rows", jobs, rows)
	}
	j.setLive(1, importer.Progress{Rows: 1200})
	j.setLive(2, importer.Progress{Rows: 30})
	j.setLive(1, importer.Progress{Rows: 1500})
	if jobs, rows := j.Running(); jobs != 2 || rows != 1530 {
		t.Errorf("two jobs: %d jobs, %d rows, want 2 and 1530", jobs, rows)
	}
	j.dropLive(1)
	if jobs, rows := j.Running(); jobs != 1 || rows != 30 {
		t.Errorf("one left: %d jobs, %d rows, want 1 and 30", jobs, rows)
	}
}
