package server

import (
	"io/fs"
	"net/http"
)

// Static serves the files of fsys, and answers 404 for a directory where
// http.FileServerFS would list what it holds.
func Static(fsys fs.FS) http.Handler {
	return http.FileServerFS(filesOnly{fsys})
}

// filesOnly is a file system whose directories cannot be opened.
type filesOnly struct{ fs.FS }

func (f filesOnly) Open(name string) (fs.File, error) {
	file, err := f.FS.Open(name)
	if err != nil {
		return nil, err
	}
	info, err := file.Stat()
	if err != nil || info.IsDir() {
		file.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return file, nil
}
