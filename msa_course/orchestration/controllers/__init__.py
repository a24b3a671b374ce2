"""The controllers of kube-controller-manager, one module each, as upstream lays them out
(kubernetes/kubernetes pkg/controller/<name>/): each reads and writes objects in the store
(`store.Store`) and never calls another.

replicaset.py (manageReplicas), deployment.py (rolling updates), nodelifecycle.py (NotReady,
taint, eviction), podautoscaler.py (the HPA's sync; its arithmetic is in ../hpa.py).
"""
