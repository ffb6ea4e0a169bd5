//! NetworkPolicies that select a workload's pods in, answers out: may a given port be reached
//! by the pods themselves, by other pods of the namespace, from another namespace? Kubernetes
//! semantics: without an Ingress policy every connection is allowed; with one, a connection is
//! allowed when any rule of any selecting policy admits both its source and its port. Named
//! ports are resolved through the pod's container ports. Sources that cannot be judged from the
//! manifests (an `ipBlock`) count as allowed, so that unknowns never produce findings.

use crate::k8s::{Labels, Selector};
use crate::yaml::Node;

/// Where a connection comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// Another pod of the same workload (replication, cluster bus, Sentinel).
    SelfPods,
    /// Some other pod of the same namespace (an application).
    OtherPods,
    /// A pod of another namespace (Prometheus in `monitoring`).
    OtherNamespace,
}

/// Whether any policy restricts ingress to these pods.
pub fn restricted(policies: &[&Node]) -> bool {
    policies.iter().any(|p| restricts_ingress(p))
}

fn restricts_ingress(p: &Node) -> bool {
    let spec = p.get("spec");
    match spec.and_then(|s| s.get("policyTypes")) {
        Some(types) if !types.items().is_empty() => {
            types.items().iter().any(|t| t.as_str() == Some("Ingress"))
        }
        // Without policyTypes, a policy always restricts ingress.
        _ => true,
    }
}

/// Whether `port` (a number) can be reached from `peer`, given the pod's labels and spec.
pub fn allows(
    policies: &[&Node],
    pod_labels: &Labels,
    pod_spec: &Node,
    port: i64,
    peer: Peer,
) -> bool {
    let restricting: Vec<&&Node> = policies.iter().filter(|p| restricts_ingress(p)).collect();
    if restricting.is_empty() {
        return true;
    }
    restricting.iter().any(|p| {
        p.path(&["spec", "ingress"])
            .map_or(&[][..], Node::items)
            .iter()
            .any(|rule| ports_admit(rule, pod_spec, port) && sources_admit(rule, pod_labels, peer))
    })
}

fn ports_admit(rule: &Node, pod_spec: &Node, port: i64) -> bool {
    let Some(ports) = rule.get("ports") else {
        return true;
    };
    if ports.items().is_empty() {
        return true;
    }
    ports.items().iter().any(|p| {
        let Some(value) = p.get("port") else {
            return true; // all ports of the protocol
        };
        let number = value
            .as_i64()
            .or_else(|| value.as_str().and_then(|name| named_port(pod_spec, name)));
        match number {
            None => true, // a name no container declares: cannot judge
            Some(n) => {
                let end = p.get("endPort").and_then(Node::as_i64).unwrap_or(n);
                (n..=end).contains(&port)
            }
        }
    })
}

/// The number of a named container port of the pod.
pub fn named_port(pod_spec: &Node, name: &str) -> Option<i64> {
    pod_spec
        .get("containers")
        .map_or(&[][..], Node::items)
        .iter()
        .flat_map(|c| c.get("ports").map_or(&[][..], Node::items))
        .find(|p| p.get("name").and_then(Node::as_str) == Some(name))
        .and_then(|p| p.get("containerPort"))
        .and_then(Node::as_i64)
}

fn sources_admit(rule: &Node, pod_labels: &Labels, peer: Peer) -> bool {
    let Some(from) = rule.get("from") else {
        return true;
    };
    if from.items().is_empty() {
        return true;
    }
    from.items().iter().any(|f| {
        if f.get("ipBlock").is_some() {
            return true;
        }
        let ns = f.get("namespaceSelector");
        let pods = f.get("podSelector").map(Selector::from_label_selector);
        match peer {
            Peer::OtherNamespace => ns.is_some(),
            // A namespaceSelector that is empty selects every namespace, this one included;
            // one with labels may or may not include it: count it as admitting.
            Peer::SelfPods => match &pods {
                Some(s) => s.matches(pod_labels),
                None => ns.is_some(),
            },
            // A pod selector that does not select these pods selects some other pods.
            Peer::OtherPods => match &pods {
                Some(s) => s.is_empty() || !s.matches(pod_labels) || ns.is_some(),
                None => ns.is_some(),
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_one as node;

    #[test]
    fn semantics() {
        let pod = node("containers:\n- name: v\n  ports: [{name: tcp-redis, containerPort: 6379}, {name: bus, containerPort: 16379}]\n");
        let mut labels = Labels::new();
        labels.insert("app".into(), "v".into());
        let own_only = node("spec:\n  podSelector: {matchLabels: {app: v}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: v}}}]\n    ports: [{port: tcp-redis}, {port: 16379}]\n");
        let ps = [&own_only];
        assert!(restricted(&ps));
        assert!(allows(&ps, &labels, &pod, 6379, Peer::SelfPods));
        assert!(allows(&ps, &labels, &pod, 16379, Peer::SelfPods));
        assert!(!allows(&ps, &labels, &pod, 6379, Peer::OtherPods));
        assert!(!allows(&ps, &labels, &pod, 9121, Peer::OtherNamespace));
        let clients = node("spec:\n  podSelector: {}\n  ingress:\n  - from: [{podSelector: {matchLabels: {client: 'true'}}}]\n    ports: [{port: 6379}]\n  - from: [{namespaceSelector: {matchLabels: {name: monitoring}}}]\n    ports: [{port: 9121}]\n");
        let ps = [&own_only, &clients];
        assert!(allows(&ps, &labels, &pod, 6379, Peer::OtherPods));
        assert!(allows(&ps, &labels, &pod, 9121, Peer::OtherNamespace));
        let egress_only = node("spec:\n  podSelector: {}\n  policyTypes: [Egress]\n");
        assert!(!restricted(&[&egress_only]));
        assert!(allows(
            &[&egress_only],
            &labels,
            &pod,
            1,
            Peer::OtherNamespace
        ));
        let deny_all = node("spec:\n  podSelector: {}\n  policyTypes: [Ingress]\n");
        assert!(!allows(&[&deny_all], &labels, &pod, 6379, Peer::SelfPods));
    }
}
