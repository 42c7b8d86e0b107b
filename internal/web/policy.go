package web

import (
	"wanhu/internal/apperr"
	"wanhu/internal/auth"
)

// mayAccess reports whether u may see and change the household files of
// grid gridID (0 for community-wide pages). Roles and scoping come later;
// for now every signed-in user is trusted. This is the one place to change.
func mayAccess(u *auth.User, gridID int64) bool { return u != nil }

// showFull reports whether u sees a single household's phone and ID
// numbers unmasked. Lists always mask them.
func showFull(u *auth.User) bool { return u != nil && u.Has(auth.Admin) }

// errNotYours is what a record out of the user's reach looks like: the
// same as one that does not exist.
var errNotYours = apperr.ErrNotFound
