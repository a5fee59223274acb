#ifndef T3Q_COMPILER_K8S_H
#define T3Q_COMPILER_K8S_H

#include <cjson/cJSON.h>

struct plan_task;

/* {"mountPath": path, "name": name} */
cJSON *k8s_mount(const char *name, const char *path);
/*
 * The task's PVC mounts and /dev/shm into a container's volumeMounts,
 * with one volume per claim (and the shm emptyDir) into volumes.
 */
void k8s_add_mounts(cJSON *mounts, cJSON *volumes, const struct plan_task *t);
/* The task's tolerations, as a pod spec lists them. */
cJSON *k8s_tolerations(const struct plan_task *t);

#endif
