import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('Pod', { description: 'One pod of an app as the cluster reports it now (`kubectl get pods`).' })
export class PodType {
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'Pending, Running, Succeeded, Failed or Unknown.' }) phase!: string;
  @Field(() => Boolean, { description: 'Passes its readiness probe: the Service sends it traffic.' }) ready!: boolean;
  @Field(() => Int, { description: 'Restarts of its containers.' }) restarts!: number;
  @Field(() => String, { nullable: true, description: 'Why its container does not run: CrashLoopBackOff, ImagePullBackOff, ContainerCreating, OOMKilled…; null when it runs.' })
  reason!: string | null;
  @Field(() => Date, { nullable: true, description: 'When the kubelet started it; its age is now minus this.' }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) createdAt!: Date | null;
  @Field(() => String, { nullable: true }) image!: string | null;
  @Field(() => String, { nullable: true }) node!: string | null;
}

@ObjectType('ClusterEvent', { description: 'A Kubernetes Event about the app\'s Deployment, ReplicaSets or pods (`kubectl describe`).' })
export class ClusterEventType {
  @Field(() => String, { description: 'Normal or Warning.' }) type!: string;
  @Field(() => String, { description: 'Scheduled, Pulled, Started, BackOff, Failed, ScalingReplicaSet, …' }) reason!: string;
  @Field(() => String) message!: string;
  @Field(() => String, { description: 'Kind of the object it is about: Deployment, ReplicaSet or Pod.' }) kind!: string;
  @Field(() => String, { description: 'Name of the object it is about.' }) name!: string;
  @Field(() => Int, { description: 'How many times it happened.' }) count!: number;
  @Field(() => Date, { nullable: true }) firstSeen!: Date | null;
  @Field(() => Date, { nullable: true }) lastSeen!: Date | null;
}

@ObjectType('PodLogLine')
export class PodLogLineType {
  @Field(() => String, { description: 'The pod that wrote it.' }) pod!: string;
  @Field(() => String) line!: string;
  @Field(() => Date, { nullable: true, description: 'When the kubelet received it.' }) at!: Date | null;
}
