"""Keeping a learner's processes apart on a shared Linux machine: what the grader's sandbox
(msa_course.grading.confine, sandbox) and the workshop hub's learner servers
(msa_course.workshop.spawner) both use.

- `cgroups`: a control group (v1) per submission or per learner's server, so memory, process
  count and CPU share are limits on all its processes together;
- `namespaces`: the libc calls and flags for namespaces and mounts (what a learner sees);
- `processes`: ending every process of a uid, and no new privileges after exec.
"""
