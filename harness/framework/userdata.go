package framework

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/imagegate/imagegate/harness/run"
)

// mergeUserData combines the cloud-config keys the suites ask for: lists
// under the same key (write_files, runcmd, packages) are concatenated in
// suite order; any other key must be given the same value by every suite
// that sets it. ${hostname} is replaced by the target's hostname.
func mergeUserData(t run.Target, suites []Suite) (string, string, error) {
	merged := map[string]any{}
	owner := map[string]string{}
	network, networkOwner := "", ""
	for _, s := range suites {
		if s.NetworkConfig != "" {
			if networkOwner != "" && s.NetworkConfig != network {
				return "", "", fmt.Errorf("suites %s and %s both set a different network-config", networkOwner, s.Name)
			}
			network, networkOwner = s.NetworkConfig, s.Name
		}
		if strings.TrimSpace(s.UserData) == "" {
			continue
		}
		var m map[string]any
		src := strings.ReplaceAll(s.UserData, "${hostname}", t.Hostname())
		if err := yaml.Unmarshal([]byte(src), &m); err != nil {
			return "", "", fmt.Errorf("suite %s: user-data: %v", s.Name, err)
		}
		for k, v := range m {
			old, seen := merged[k]
			switch {
			case !seen:
				merged[k], owner[k] = v, s.Name
			case isList(old) && isList(v):
				merged[k] = append(old.([]any), v.([]any)...)
			case !reflect.DeepEqual(old, v):
				return "", "", fmt.Errorf("suites %s and %s set user-data key %q differently", owner[k], s.Name, k)
			}
		}
	}
	if len(merged) == 0 {
		return "", network, nil
	}
	keys := make([]string, 0, len(merged))
	for k := range merged {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		out, err := yaml.Marshal(map[string]any{k: merged[k]})
		if err != nil {
			return "", "", err
		}
		b.Write(out)
	}
	return b.String(), network, nil
}

func isList(v any) bool { _, ok := v.([]any); return ok }
