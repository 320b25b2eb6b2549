import { NotificationChannelFields, NotificationDeliveryFields } from '../fragments.js';
import { graphql, type ResultOf } from '../graphql.js';

/** Channels of a project, of an app (its own and its project's), or all; each with its newest attempts. */
export const NotificationChannelsQuery = graphql(
  `
  query NotificationChannels($project: String, $app: AppRef, $deliveries: Int! = 5) {
    notificationChannels(project: $project, app: $app) {
      ...NotificationChannelFields
      deliveries(first: $deliveries) { ...NotificationDeliveryFields }
    }
  }
`,
  [NotificationChannelFields, NotificationDeliveryFields],
);
export type NotificationChannelWithDeliveries = ResultOf<typeof NotificationChannelsQuery>['notificationChannels'][number];

/** Adds a channel; the signing secret (WEBHOOK channels) comes back this once. */
export const CreateNotificationChannelMutation = graphql(
  `
  mutation CreateNotificationChannel($input: CreateNotificationChannelInput!) {
    createNotificationChannel(input: $input) {
      channel { ...NotificationChannelFields }
      signingSecret
    }
  }
`,
  [NotificationChannelFields],
);

export const DeleteNotificationChannelMutation = graphql(
  `
  mutation DeleteNotificationChannel($id: ID!) {
    deleteNotificationChannel(id: $id) { ...NotificationChannelFields }
  }
`,
  [NotificationChannelFields],
);

/** Delivery attempts, newest first: of one channel, of a project's channels, or of all. */
export const NotificationDeliveriesQuery = graphql(
  `
  query NotificationDeliveries($channel: ID, $project: String, $first: Int!) {
    notificationDeliveries(channel: $channel, project: $project, first: $first) { ...NotificationDeliveryFields }
  }
`,
  [NotificationDeliveryFields],
);
