/*
 * k8s: the Kubernetes parts that a generic node's Argo template and a
 * custom component's share (PVC mounts and their volumes, /dev/shm,
 * tolerations), so that argo.c and custom.c each depend on this and not
 * on each other.
 */
#include "compiler/k8s.h"

#include <string.h>

#include "compiler/plan.h"

static void add_str(cJSON *o, const char *k, const char *v)
{
	cJSON_AddItemToObject(o, k, cJSON_CreateString(v ? v : ""));
}

static cJSON *named(const char *name)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "name", name);
	return o;
}

cJSON *k8s_mount(const char *name, const char *path)
{
	cJSON *m = cJSON_CreateObject();

	add_str(m, "mountPath", path);
	add_str(m, "name", name);
	return m;
}

void k8s_add_mounts(cJSON *mounts, cJSON *volumes, const struct plan_task *t)
{
	for (int i = 0; i < t->nmounts; i++) {
		const struct plan_mount *v = &t->mounts[i];
		cJSON *m = k8s_mount(v->pvc, v->path);
		const cJSON *x;
		int seen = 0;

		if (v->sub_path)
			add_str(m, "subPath", v->sub_path);
		if (v->read_only)
			cJSON_AddBoolToObject(m, "readOnly", 1);
		cJSON_AddItemToArray(mounts, m);
		/* One volume per claim, however many mounts use it. */
		cJSON_ArrayForEach(x, volumes) {
			const char *nm = cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(x, "name"));

			if (nm && !strcmp(nm, v->pvc))
				seen = 1;
		}
		if (!seen) {
			cJSON *vol = named(v->pvc), *claim = cJSON_CreateObject();

			add_str(claim, "claimName", v->pvc);
			cJSON_AddItemToObject(vol, "persistentVolumeClaim",
					      claim);
			cJSON_AddItemToArray(volumes, vol);
		}
	}
	if (t->shm_size) {
		cJSON *vol = named("shm"), *ed = cJSON_CreateObject();

		add_str(ed, "medium", "Memory");
		add_str(ed, "sizeLimit", t->shm_size);
		cJSON_AddItemToObject(vol, "emptyDir", ed);
		cJSON_AddItemToArray(volumes, vol);
		cJSON_AddItemToArray(mounts, k8s_mount("shm", "/dev/shm"));
	}
}

cJSON *k8s_tolerations(const struct plan_task *t)
{
	cJSON *tols = cJSON_CreateArray();

	for (int i = 0; i < t->ntolerations; i++) {
		const struct toleration *tl = &t->tolerations[i];
		cJSON *x = cJSON_CreateObject();

		if (tl->effect)
			add_str(x, "effect", tl->effect);
		if (tl->key)
			add_str(x, "key", tl->key);
		add_str(x, "operator", tl->operator);
		if (tl->value)
			add_str(x, "value", tl->value);
		cJSON_AddItemToArray(tols, x);
	}
	return tols;
}
