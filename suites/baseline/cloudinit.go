package baseline

import (
	"encoding/json"
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/imagegate/imagegate/harness/framework"
)

// userData is what the baseline asks the seed to do, so the specs below
// can check that cloud-init really applied it.
const userData = `write_files:
  - path: /etc/imagegate/write-files-check
    content: "written by cloud-init write_files\n"
    permissions: '0640'
runcmd:
  - [sh, -c, "echo ran-by-runcmd > /var/lib/imagegate-runcmd-check"]
fqdn: ${hostname}.imagegate.test
prefer_fqdn_over_hostname: false
`

// networkConfig (v2) matches the guest's NIC by MAC and sets an MTU that
// no DHCP server here hands out, so seeing it proves the config was used.
const networkConfig = `version: 2
ethernets:
  nic0:
    match:
      macaddress: "` + framework.GuestMAC + `"
    dhcp4: true
    mtu: 1400
`

// renderedNetworkConfigs are where cloud-init's renderers write.
const renderedNetworkConfigs = "/etc/network/interfaces.d/50-cloud-init /etc/network/interfaces /etc/netplan/*.yaml " +
	"/etc/systemd/network/10-cloud-init-*.network /etc/NetworkManager/system-connections/cloud-init-* /etc/sysconfig/network-scripts/ifcfg-*"

func cloudInitSpecs() {
	Describe("cloud-init", func() {
		// The status is what the harness's wait for cloud-init printed:
		// asking again would start cloud-init's Python again.
		It("finished with status done", func(ctx SpecContext) {
			_, st, out := settled()
			Expect(st).To(Equal("done"), "cloud-init status:\n%s", out)
		})

		It("reported no errors and used the NoCloud datasource", func(ctx SpecContext) {
			var result struct {
				V1 struct {
					Datasource string   `json:"datasource"`
					Errors     []string `json:"errors"`
				} `json:"v1"`
			}
			out := ok(ctx, "cat /run/cloud-init/result.json")
			Expect(json.Unmarshal([]byte(out), &result)).To(Succeed(), "result.json:\n%s", out)
			Expect(result.V1.Errors).To(BeEmpty())
			Expect(result.V1.Datasource).To(HavePrefix("DataSourceNoCloud"))
		})

		It("reported no recoverable errors", func(ctx SpecContext) {
			st, _, out := settled()
			if st == nil || len(st.RecoverableErrors) == 0 {
				// Before 23.4 its status has no recoverable errors (before
				// 22.x no JSON at all): they are WARNING lines in its log.
				framework.NotApplicable(fmt.Sprintf("cloud-init %s reports no recoverable errors in its status (23.4 added them); "+
					"they are WARNING lines in its log, which \"logged no Traceback and no WARNING\" checks",
					cloudInitVersion(ctx)))
			}
			var recoverable map[string]any
			if err := json.Unmarshal(st.RecoverableErrors, &recoverable); err != nil {
				framework.CouldNotCheck("cloud-init status: recoverable_errors is not an object (%v):\n%s", err, out)
			}
			Expect(st.Errors).To(BeEmpty(), "cloud-init status:\n%s", out)
			Expect(recoverable).To(BeEmpty(), "cloud-init status:\n%s", out)
		})

		It("logged no Traceback and no WARNING", func(ctx SpecContext) {
			// grep: 0 found some, 1 found none, anything else could not read the log.
			res := run(ctx, framework.Sudo("grep -E 'Traceback|WARNING' /var/log/cloud-init.log"))
			if res.ExitStatus > 1 {
				framework.CouldNotCheck("grep /var/log/cloud-init.log:\n%s", res)
			}
			Expect(lines(res.Stdout)).To(BeEmpty(), "/var/log/cloud-init.log has warnings or tracebacks")
		})

		It("validates the system's cloud-config against its schema", func(ctx SpecContext) {
			out := sudo(ctx, "cloud-init schema --system 2>&1")
			Expect(out).To(ContainSubstring("Valid"))
		})

		It("records its stage timings", func(ctx SpecContext) {
			// Read as `cloud-init analyze show` reads it, in Go: analyze
			// would start cloud-init's Python again (~5 s under TCG).
			res := run(ctx, framework.Sudo("cat /var/log/cloud-init.log"))
			if !res.OK() {
				framework.CouldNotCheck("read /var/log/cloud-init.log:\n%s", res)
			}
			t, err := parseCloudInitLog(res.Stdout)
			framework.ErrorIf(err, "read cloud-init.log's times")
			if t.lines == 0 {
				framework.CouldNotCheck("/var/log/cloud-init.log has no line in cloud-init's default format (\"<date> <time>,<ms> - <file>[<LEVEL>]: ...\"): its stage timings cannot be read")
			}
			Expect(t.missing()).To(BeEmpty(), "stages of the last boot with no start and finish in /var/log/cloud-init.log")
			AddReportEntry("cloud-init-total-seconds", fmt.Sprintf("%.2f", t.total()))
			AddReportEntry("cloud-init-blame", t.blame(12))
		})

		It("set the hostname and fqdn from the seed", func(ctx SpecContext) {
			host := framework.G().Seed.Hostname
			Expect(strings.TrimSpace(ok(ctx, "hostname"))).To(Equal(host))
			Expect(strings.TrimSpace(ok(ctx, "hostname -f"))).To(Equal(host + ".imagegate.test"))
		})

		It("applied the seed's instance-id", func(ctx SpecContext) {
			Expect(strings.TrimSpace(ok(ctx, "cat /run/cloud-init/.instance-id"))).To(Equal(framework.G().Seed.InstanceID))
		})

		It("applied write_files with content and mode", func(ctx SpecContext) {
			out := sudo(ctx, "stat -c '%a %U' /etc/imagegate/write-files-check && cat /etc/imagegate/write-files-check")
			Expect(out).To(Equal("640 root\nwritten by cloud-init write_files\n"))
		})

		It("ran runcmd", func(ctx SpecContext) {
			Expect(ok(ctx, "cat /var/lib/imagegate-runcmd-check")).To(Equal("ran-by-runcmd\n"))
		})

		It("applied the network-config v2 from the seed", func(ctx SpecContext) {
			// The MTU is only in the seed's network-config; finding it in the
			// configuration cloud-init rendered for the system's network stack
			// (ifupdown, netplan, networkd, NetworkManager, sysconfig) shows the
			// config was used. Whether a renderer applies an MTU together with
			// DHCP at runtime differs (ifupdown does not), so the rendered file
			// is what is judged.
			// grep over the files that exist: 0 found it, 1 did not (or
			// nothing was rendered), 2 could not read them.
			res := run(ctx, framework.Sudo("set --; for f in "+renderedNetworkConfigs+"; do [ -f \"$f\" ] && set -- \"$@\" \"$f\"; done; "+
				"[ $# -gt 0 ] || exit 1; grep -l -E '(mtu|MTU)[ =:]*1400' \"$@\""))
			if res.ExitStatus > 1 {
				framework.CouldNotCheck("read the rendered network configuration:\n%s", res)
			}
			Expect(lines(res.Stdout)).NotTo(BeEmpty(), "no network configuration rendered by cloud-init carries the seed's mtu 1400")
			dev := strings.TrimSpace(query(ctx, "grep -l -i '"+framework.GuestMAC+"' /sys/class/net/*/address | cut -d/ -f5"))
			Expect(dev).NotTo(BeEmpty(), "no interface with the seed's MAC %s", framework.GuestMAC)
			Expect(strings.TrimSpace(ok(ctx, "cat /sys/class/net/"+dev+"/operstate"))).To(Equal("up"))
		})
	})
}
