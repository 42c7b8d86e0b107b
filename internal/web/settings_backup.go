package web

import (
	"net/http"

	"wanhu/internal/backup"
)

// settingsBackup is what the settings page says of the backups: when the
// last one was made, how big it is and where it is, with a warning when
// there is none, when it is older than a day, or when a later one failed.
type settingsBackup struct {
	When, Size, Where string
	None, Stale       bool
	FailedAt, Why     string
}

// backupLine reads the status of the backups for the settings page.
func (h *handler) backupLine(r *http.Request, l *Locale) (*settingsBackup, error) {
	st, err := backup.Latest(r.Context(), h.db, h.now())
	if err != nil {
		return nil, err
	}
	v := &settingsBackup{None: st.Last == nil, Stale: st.Stale}
	if st.Last != nil {
		v.When, v.Size, v.Where = l.Time(st.Last.FinishedAt), backup.SizeText(st.Last.Size), st.Last.Path
		if st.Last.Host != "" {
			v.Where = st.Last.Host + ":" + st.Last.Path
		}
	}
	if st.Failed != nil {
		v.FailedAt, v.Why = l.Time(st.Failed.FinishedAt), st.Failed.Error
	}
	return v, nil
}
