package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// profiles are the pprof files a command writes.
type profiles struct {
	cpu, mem string
	// block and mutex record where goroutines waited (on channels,
	// locks, database/sql's connection pool) and which locks they waited
	// for: what keeps cores idle. Recording every event costs CPU, so
	// they are for measuring, not for production.
	block, mutex string
	// trace is an execution trace: `go tool trace -pprof=sched|net|sync|syscall`
	// splits where goroutines were off a core (waiting for one, the
	// network, a lock, a system call).
	trace string
}

// startProfiles starts a CPU profile into p.cpu (when set) and the block
// and mutex profiles (when set), and returns a function that stops them
// and writes them, and a heap profile into p.mem (when set). All are
// pprof files: `go tool pprof topicfeed FILE`.
func startProfiles(p profiles) (stop func() error, err error) {
	cpuPath, memPath := p.cpu, p.mem
	if p.block != "" {
		runtime.SetBlockProfileRate(1)
	}
	if p.mutex != "" {
		runtime.SetMutexProfileFraction(1)
	}
	var tr *os.File
	if p.trace != "" {
		if tr, err = os.Create(p.trace); err != nil {
			return nil, fmt.Errorf("trace: %w", err)
		}
		if err := trace.Start(tr); err != nil {
			tr.Close()
			return nil, fmt.Errorf("trace %s: %w", p.trace, err)
		}
	}
	var cpu *os.File
	if cpuPath != "" {
		if cpu, err = os.Create(cpuPath); err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return nil, fmt.Errorf("cpu profile %s: %w", cpuPath, err)
		}
	}
	return func() error {
		var errs []error
		if tr != nil {
			trace.Stop()
			if err := tr.Close(); err != nil {
				errs = append(errs, fmt.Errorf("trace %s: %w", p.trace, err))
			}
		}
		if cpu != nil {
			pprof.StopCPUProfile()
			if err := cpu.Close(); err != nil {
				errs = append(errs, fmt.Errorf("cpu profile %s: %w", cpuPath, err))
			}
		}
		if memPath != "" {
			errs = append(errs, writeHeapProfile(memPath))
		}
		if p.block != "" {
			errs = append(errs, writeProfile("block", p.block))
		}
		if p.mutex != "" {
			errs = append(errs, writeProfile("mutex", p.mutex))
		}
		return errors.Join(errs...)
	}, nil
}

func writeHeapProfile(path string) error {
	runtime.GC() // up-to-date statistics of what is live
	return writeProfile("heap", path)
}

// writeProfile writes the runtime's named profile (heap, block, mutex) into path.
func writeProfile(name, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("%s profile: %w", name, err)
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("%s profile %s: %w", name, path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s profile %s: %w", name, path, err)
	}
	return nil
}
