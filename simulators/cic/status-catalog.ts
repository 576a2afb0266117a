/**
 * The standard CIC status messages as `GET /status/status-messages` lists them. Ids follow CIC's convention of
 * the English text (case-insensitive), except the system status `AcdAgentNotAnswering`. Group tags are our choice
 * (see README): the sources name the field, not the stock values.
 */
export interface StatusMessage {
  statusId: string;
  messageText: string;
  groupTag: string;
  iconUri: string;
  canHaveDate: boolean;
  canHaveTime: boolean;
  isDoNotDisturbStatus: boolean;
  isSelectableStatus: boolean;
  isPersistentStatus: boolean;
  isForwardStatus: boolean;
  isAfterCallWorkStatus: boolean;
  isAcdStatus: boolean;
  isAllowFollowUpStatus: boolean;
  systemId: string;
}

type Flags = Partial<Omit<StatusMessage, 'statusId' | 'messageText' | 'groupTag' | 'iconUri' | 'systemId'>>;

function status(statusId: string, messageText: string, groupTag: string, flags: Flags = {}): StatusMessage {
  return {
    statusId,
    messageText,
    groupTag,
    iconUri: `/status/status-messages/${encodeURIComponent(statusId)}/icon`,
    canHaveDate: false,
    canHaveTime: false,
    isDoNotDisturbStatus: false,
    isSelectableStatus: true,
    isPersistentStatus: false,
    isForwardStatus: false,
    isAfterCallWorkStatus: false,
    isAcdStatus: false,
    isAllowFollowUpStatus: false,
    systemId: statusId,
    ...flags,
  };
}

const away = { canHaveDate: true, canHaveTime: true, isPersistentStatus: true };

export const statusCatalog: readonly StatusMessage[] = [
  status('Available', 'Available', 'Available', { isAcdStatus: true, isAllowFollowUpStatus: true }),
  status('Available No ACD', 'Available No ACD', 'Available'),
  status('Available, Follow-Me', 'Available, Follow-Me', 'Available', {
    isAcdStatus: true,
    isForwardStatus: true,
  }),
  status('Available, Forward', 'Available, Forward', 'Available', { isForwardStatus: true }),
  status('Available Remote', 'Available Remote', 'Available', { isAcdStatus: true }),
  status('Away from desk', 'Away from desk', 'Break'),
  status('At Lunch', 'At Lunch', 'Meal', { canHaveTime: true }),
  status('At Play', 'At Play', 'Break'),
  status('At a Training Session', 'At a Training Session', 'Training', { canHaveTime: true }),
  status('In a meeting', 'In a meeting', 'Meeting', { canHaveTime: true }),
  status('Do Not Disturb', 'Do Not Disturb', 'Busy', { isDoNotDisturbStatus: true }),
  status('Follow Up', 'Follow Up', 'Followup', { isAfterCallWorkStatus: true, isAcdStatus: true }),
  status('AcdAgentNotAnswering', 'ACD - Agent Not Answering', 'Away', {
    isSelectableStatus: false,
    isAcdStatus: true,
  }),
  status('Gone Home', 'Gone Home', 'Unavailable', { isPersistentStatus: true }),
  status('On Vacation', 'On Vacation', 'Unavailable', away),
  status('Out of the Office', 'Out of the Office', 'Unavailable', away),
  status('Out of Town', 'Out of Town', 'Unavailable', away),
  status('Working at Home', 'Working at Home', 'Available', { isAcdStatus: true }),
];

export function findStatus(statusId: string): StatusMessage | undefined {
  const key = statusId.toLowerCase();
  return statusCatalog.find((s) => s.statusId.toLowerCase() === key);
}
