package sim

import "fmt"

// Replay reruns connection index of the scenario alone — with the earlier
// connections whose sessions it may resume, which run silently — and
// reports it to obs. The result, transcript hash included, is the one the
// full run reports for that connection.
func Replay(sc Scenario, index int, obs Observer) (ConnResult, error) {
	sc = sc.withDefaults()
	if index < 0 || index >= sc.Conns {
		return ConnResult{}, fmt.Errorf("sim: no connection %d in a run of %d", index, sc.Conns)
	}
	p, err := newPKI()
	if err != nil {
		return ConnResult{}, err
	}
	ps := plans(sc)
	only := []int{index}
	for i := index; ps[i].resume; {
		i = ps[i].parent
		only = append(only, i)
	}
	sc.Progress = nil
	r, err := run(sc, p, only, &obs, index)
	if err != nil {
		return ConnResult{}, err
	}
	for _, c := range r.Conns {
		if c.Index == index {
			return c, nil
		}
	}
	return ConnResult{}, fmt.Errorf("sim: connection %d did not run", index)
}
