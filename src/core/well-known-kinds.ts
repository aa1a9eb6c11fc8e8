/**
 * Cluster-scoped kinds of widely used custom resources, as `group/Kind`, so that a repository can
 * be planned without their CRDs in the tree. A CRD in the manifest set always decides its own
 * kind's scope; `--cluster-scoped-kind` and the repository configuration's `clusterScopedKinds`
 * add kinds this table does not know. `group/*` means every kind of the group.
 */
export const WELL_KNOWN_CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  // Gateway API
  "gateway.networking.k8s.io/GatewayClass",
  // cert-manager and trust-manager
  "cert-manager.io/ClusterIssuer",
  "trust.cert-manager.io/Bundle",
  // Karpenter
  "karpenter.sh/NodePool",
  "karpenter.sh/NodeClaim",
  "karpenter.sh/Provisioner",
  "karpenter.k8s.aws/EC2NodeClass",
  "karpenter.k8s.aws/AWSNodeTemplate",
  "karpenter.azure.com/AKSNodeClass",
  // Kyverno and policy reports
  "kyverno.io/ClusterPolicy",
  "kyverno.io/ClusterCleanupPolicy",
  "kyverno.io/ClusterAdmissionReport",
  "kyverno.io/ClusterBackgroundScanReport",
  "reports.kyverno.io/ClusterEphemeralReport",
  "policies.kyverno.io/ValidatingPolicy",
  "policies.kyverno.io/ImageValidatingPolicy",
  "policies.kyverno.io/MutatingPolicy",
  "policies.kyverno.io/GeneratingPolicy",
  "policies.kyverno.io/DeletingPolicy",
  "wgpolicyk8s.io/ClusterPolicyReport",
  // Gatekeeper (every constraint kind is cluster-scoped)
  "templates.gatekeeper.sh/ConstraintTemplate",
  "constraints.gatekeeper.sh/*",
  "mutations.gatekeeper.sh/*",
  "expansion.gatekeeper.sh/ExpansionTemplate",
  // External Secrets
  "external-secrets.io/ClusterSecretStore",
  "external-secrets.io/ClusterExternalSecret",
  "external-secrets.io/ClusterPushSecret",
  "generators.external-secrets.io/ClusterGenerator",
  // Argo Workflows and Rollouts (Argo CD and Flux kinds are all namespaced)
  "argoproj.io/ClusterWorkflowTemplate",
  "argoproj.io/ClusterAnalysisTemplate",
  // Crossplane
  "pkg.crossplane.io/Provider",
  "pkg.crossplane.io/ProviderRevision",
  "pkg.crossplane.io/Configuration",
  "pkg.crossplane.io/ConfigurationRevision",
  "pkg.crossplane.io/Function",
  "pkg.crossplane.io/FunctionRevision",
  "pkg.crossplane.io/DeploymentRuntimeConfig",
  "pkg.crossplane.io/ControllerConfig",
  "pkg.crossplane.io/ImageConfig",
  "apiextensions.crossplane.io/CompositeResourceDefinition",
  "apiextensions.crossplane.io/Composition",
  "apiextensions.crossplane.io/CompositionRevision",
  "apiextensions.crossplane.io/EnvironmentConfig",
  "apiextensions.crossplane.io/ManagedResourceDefinition",
  "apiextensions.crossplane.io/ManagedResourceActivationPolicy",
  // CNI network policy
  "cilium.io/CiliumClusterwideNetworkPolicy",
  "cilium.io/CiliumNode",
  "cilium.io/CiliumIdentity",
  "cilium.io/CiliumExternalWorkload",
  "cilium.io/CiliumLoadBalancerIPPool",
  "cilium.io/CiliumBGPClusterConfig",
  "cilium.io/CiliumBGPPeerConfig",
  "cilium.io/CiliumBGPAdvertisement",
  "cilium.io/CiliumCIDRGroup",
  "crd.projectcalico.org/GlobalNetworkPolicy",
  "crd.projectcalico.org/GlobalNetworkSet",
  "crd.projectcalico.org/IPPool",
  "crd.projectcalico.org/FelixConfiguration",
  "crd.projectcalico.org/BGPConfiguration",
  "crd.projectcalico.org/BGPPeer",
  "crd.projectcalico.org/HostEndpoint",
  "crd.projectcalico.org/ClusterInformation",
  "projectcalico.org/GlobalNetworkPolicy",
  "projectcalico.org/GlobalNetworkSet",
  "projectcalico.org/IPPool",
  "projectcalico.org/FelixConfiguration",
  "projectcalico.org/BGPConfiguration",
  "projectcalico.org/BGPPeer",
  "projectcalico.org/HostEndpoint",
  "projectcalico.org/Tier",
  // Storage snapshots
  "snapshot.storage.k8s.io/VolumeSnapshotClass",
  "snapshot.storage.k8s.io/VolumeSnapshotContent",
  "groupsnapshot.storage.k8s.io/VolumeGroupSnapshotClass",
  "groupsnapshot.storage.k8s.io/VolumeGroupSnapshotContent",
  // Others often found in platform repositories
  "keda.sh/ClusterTriggerAuthentication",
  "configuration.konghq.com/KongClusterPlugin",
  "tekton.dev/ClusterTask",
  "triggers.tekton.dev/ClusterTriggerBinding",
  "triggers.tekton.dev/ClusterInterceptor",
  "nfd.k8s-sigs.io/NodeFeatureRule",
]);

/** True when the table (by kind, or by `group/*`) lists the kind as cluster-scoped. */
export function isWellKnownClusterScoped(group: string, kind: string): boolean {
  return (
    WELL_KNOWN_CLUSTER_SCOPED_KINDS.has(`${group}/${kind}`) ||
    WELL_KNOWN_CLUSTER_SCOPED_KINDS.has(`${group}/*`)
  );
}

/** `group/Kind` as accepted by `--cluster-scoped-kind` and `clusterScopedKinds` (group may be empty: core). */
export const GROUP_KIND_PATTERN = /^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?)?\/[A-Za-z][A-Za-z0-9]{0,62}$/;
