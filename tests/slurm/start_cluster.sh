#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for the tests (tests/test_slurm.py).
#
# Installs Debian's slurmctld, slurmd, slurm-client and munge if missing, writes
# /etc/slurm/slurm.conf and gres.conf, and (re)starts munged, slurmctld and slurmd as plain
# daemons (no systemd). Run as root; rerunning restarts the cluster with a clean state.
# tests/slurm/stop_cluster.sh stops it.
#
# Exit status 77 means "cannot run here" (not root, no apt, or a slurm.conf this script did
# not write): the tests skip with the message printed on stderr. Any other failure is an error.
set -euo pipefail

SKIP=77
MARK="# Written by rnnstudy tests/slurm/start_cluster.sh"
PARTITION=rnnstudy  # tests/slurm/profile submits to it
HERE="$(cd "$(dirname "$0")" && pwd)"

if [[ $(id -u) -ne 0 ]]; then
    echo "needs root to install and start SLURM (running as $(id -un))" >&2
    exit $SKIP
fi

# The job step of snakemake-executor-plugin-slurm drops SLURM_CONF, so the config must be at
# SLURM's default path. Never overwrite a real cluster's config.
if [[ -e /etc/slurm/slurm.conf ]] && ! grep -qxF "$MARK" /etc/slurm/slurm.conf; then
    echo "/etc/slurm/slurm.conf exists and was not written by this script; not touching it" >&2
    exit $SKIP
fi

packages=(slurmctld slurmd slurm-client munge)
installed=$(dpkg-query -W -f='${db:Status-Status}\n' "${packages[@]}" 2>/dev/null | grep -c '^installed$' || true)
if [[ $installed -ne ${#packages[@]} ]]; then
    if ! command -v apt-get >/dev/null; then
        echo "SLURM is not installed and there is no apt-get to install it" >&2
        exit $SKIP
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Package postinst scripts must not start the daemons (there is no init system to
    # manage them; this script starts them below).
    policy_made=
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        policy_made=1
    fi
    install() { apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null; }
    # A fresh machine has no package lists yet: update once, then install.
    install 2>/dev/null || { apt-get update -q >/dev/null && install; } || {
        [[ -n $policy_made ]] && rm -f /usr/sbin/policy-rc.d
        echo "apt-get could not install ${packages[*]}" >&2
        exit $SKIP
    }
    [[ -n $policy_made ]] && rm -f /usr/sbin/policy-rc.d
fi

"$HERE/stop_cluster.sh"

node=$(hostname -s)
mkdir -p /etc/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm /run/munge
chown slurm:slurm /var/lib/slurm/slurmctld /var/log/slurm
chown munge:munge /run/munge

cat > /etc/slurm/slurm.conf <<CONF
$MARK
# A one-node test cluster: no accounting daemon (slurmdbd), no cgroups, four fake GPUs.
ClusterName=rnnstudy-test
SlurmctldHost=$node(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
# No cgroups in this machine's init-less setting.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# Without slurmdbd, squeue is the only job record: keep finished jobs for 10 minutes
# (snakemake-executor-plugin-slurm wants MinJobAge >= 120 s to trust squeue).
MinJobAge=600
ReturnToService=2
# A cancelled job gets SIGTERM, then SIGKILL 5 s later.
KillWait=5
# The SLURM executor plugin runs scontrol whenever any Snakemake starts, even a local run;
# with the daemons stopped, scontrol waits MessageTimeout (10 s by default) for them. One
# machine answers in milliseconds, so 1 s is plenty and a stopped cluster costs nothing.
MessageTimeout=1
GresTypes=gpu
# The node offers more CPUs than the machine has: the jobs of a test build are short and
# spend much of their time starting Python, so four at a time finish sooner than two.
SlurmdParameters=config_overrides
NodeName=$node NodeAddr=127.0.0.1 CPUs=4 RealMemory=16000 Gres=gpu:4 State=UNKNOWN
# Not the default partition: a build must name it (as on most real clusters).
PartitionName=$PARTITION Nodes=$node MaxTime=INFINITE State=UP
CONF

# Fake GPUs: SLURM only needs a device file per GPU to grant it and to set
# CUDA_VISIBLE_DEVICES (Debian's build has no NVML autodetection).
cat > /etc/slurm/gres.conf <<CONF
$MARK
NodeName=$node Name=gpu File=/dev/tty[0-3]
CONF

[[ -s /etc/munge/munge.key ]] || { mungekey --create >/dev/null; chown munge:munge /etc/munge/munge.key; }
runuser -u munge -- /usr/sbin/munged
slurmctld -c      # -c: start from a clean state, whatever a previous run left
slurmd

# Ready when the node accepts jobs.
for _ in $(seq 60); do
    if sinfo -h -p "$PARTITION" -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
        echo "SLURM is up: partition $PARTITION on node $node"
        exit 0
    fi
    sleep 0.5
done
echo "SLURM did not come up; see /var/log/slurm/" >&2
sinfo -N -l >&2 || true
exit 1
